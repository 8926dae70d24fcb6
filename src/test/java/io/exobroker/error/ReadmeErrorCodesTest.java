package io.exobroker.error;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's errors table is what clients code against: it lists every code, with the status the broker sends. */
class ReadmeErrorCodesTest {

    private static final Pattern ROW = Pattern.compile("^\\| (\\d{3}) \\| `([a-z_]+)` \\|", Pattern.MULTILINE);

    @Test
    void theErrorsTableListsEveryCodeWithItsStatus() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("### Errors");
        assertThat(start).as("README has an Errors section").isNotNegative();
        int end = readme.indexOf("\n#", start + 1);
        Matcher rows = ROW.matcher(readme.substring(start, end < 0 ? readme.length() : end));
        List<String> documented = rows.results().map(row -> row.group(1) + " " + row.group(2)).toList();

        List<String> codes = Arrays.stream(ErrorCode.values()).map(code -> code.status() + " " + code.code()).toList();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(codes);
    }
}
