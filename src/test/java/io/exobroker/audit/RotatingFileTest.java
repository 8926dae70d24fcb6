package io.exobroker.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The file destination rotates by size, between lines, keeping a bounded number of old files. */
class RotatingFileTest {

    @TempDir
    Path dir;

    @Test
    void rotatesBetweenLinesAndKeepsTheNewestBackups() throws Exception {
        Path path = dir.resolve("logs/audit.log");
        RotatingFile file = new RotatingFile(path, 1024, 2);
        byte[] line = ("z".repeat(299) + "\n").getBytes(StandardCharsets.US_ASCII);
        List<String> expected = new ArrayList<>();

        for (int i = 0; i < 12; i++) {
            byte[] numbered = line.clone();
            String number = String.format("%03d", i);
            System.arraycopy(number.getBytes(StandardCharsets.US_ASCII), 0, numbered, 0, 3);
            assertThat(file.write(numbered, 0, numbered.length)).isEqualTo(numbered.length);
            expected.add(new String(numbered, 0, numbered.length - 1, StandardCharsets.US_ASCII));
        }
        file.close();

        assertThat(Files.size(path)).isLessThanOrEqualTo(1024);
        assertThat(Files.exists(path.resolveSibling("audit.log.3"))).as("only two backups kept").isFalse();
        List<String> kept = new ArrayList<>();
        kept.addAll(Files.readAllLines(path.resolveSibling("audit.log.2")));
        kept.addAll(Files.readAllLines(path.resolveSibling("audit.log.1")));
        kept.addAll(Files.readAllLines(path));
        assertThat(kept).as("whole lines, in order, the newest nine").containsExactlyElementsOf(expected.subList(3, 12));
    }

    @Test
    void continuesAnExistingFile() throws Exception {
        Path path = dir.resolve("audit.log");
        Files.writeString(path, "from before\n");
        RotatingFile file = new RotatingFile(path, 1 << 20, 1);

        byte[] line = "after a restart\n".getBytes(StandardCharsets.US_ASCII);
        file.write(line, 0, line.length);
        file.close();

        assertThat(Files.readAllLines(path)).containsExactly("from before", "after a restart");
    }
}
