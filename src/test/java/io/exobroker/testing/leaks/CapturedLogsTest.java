package io.exobroker.testing.leaks;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

class CapturedLogsTest {

    /**
     * Quarkus loads the test classes again for each application it starts. Each loader's install must join the one
     * capture: a handler per loader kept every line once per loader and held every loader (the full suite's fault
     * run grew the heap by 97 MB of such copies).
     */
    @Test
    void classLoadersOfEveryTestApplicationShareOneCapture() throws Exception {
        CapturedLogs here = CapturedLogs.install();
        Object elsewhere = new ChildFirstLoader().loadClass(CapturedLogs.class.getName()).getMethod("install").invoke(null);
        String marker = "captured-once-" + UUID.randomUUID();

        Logger.getLogger("io.exobroker.test").severe(marker);

        assertThat(here.matching(marker)).hasSize(1);
        @SuppressWarnings("unchecked")
        List<String> seenElsewhere = (List<String>) elsewhere.getClass().getMethod("matching", String[].class)
                .invoke(elsewhere, (Object) new String[] {marker});
        assertThat(seenElsewhere).hasSize(1);
        assertThat(Arrays.stream(Logger.getLogger("").getHandlers())
                .filter(handler -> handler.getClass().getName().startsWith(CapturedLogs.class.getName())))
                .hasSize(1);
    }

    /** Loads this package's classes itself, as a Quarkus application's class loader does; the rest from its parent. */
    private static final class ChildFirstLoader extends ClassLoader {

        ChildFirstLoader() {
            super(CapturedLogsTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(CapturedLogs.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        byte[] bytes = in.readAllBytes();
                        loaded = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return loaded;
            }
        }
    }
}
