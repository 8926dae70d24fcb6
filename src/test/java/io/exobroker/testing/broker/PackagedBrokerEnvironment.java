package io.exobroker.testing.broker;

import io.exobroker.testing.tls.TestTls;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link BrokerTestEnvironment} for a broker started from the packaged artifact (the runner jar, or the native
 * executable with {@code -Dnative}) by {@code @QuarkusIntegrationTest}: the configuration reaches that process as
 * system properties, so it also gets the trust store holding the Entra ID emulator's certificate, which the test
 * JVM installed for itself.
 */
public class PackagedBrokerEnvironment extends BrokerTestEnvironment {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("javax.net.ssl.trustStore", TestTls.TRUST_STORE.toAbsolutePath().toString());
        config.put("javax.net.ssl.trustStorePassword", TestTls.TRUST_STORE_PASSWORD);
        config.put("javax.net.ssl.trustStoreType", "PKCS12");
        return config;
    }
}
