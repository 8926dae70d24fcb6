package io.exobroker.testing.tls;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs the test trust store when the JUnit Platform opens a launcher session, i.e. before any test
 * class (Quarkus or plain) is loaded and before anything can initialise the JVM's default SSLContext.
 * Registered through {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}.
 */
public final class TrustStoreInstaller implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        TestTls.install();
    }
}
