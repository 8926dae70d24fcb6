package io.exobroker.registration;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a federated registration's client assertion comes from: a token some other issuer gives the broker, which the
 * app trusts through a federated identity credential in Entra ID. None of them is stored: each is fetched or read when
 * an assertion is needed.
 */
public sealed interface AssertionSource {

    /** The {@code assertion_source} value that names this source in a record. */
    String configName();

    /** How logs, errors and the admin {@code check} name the source; never holds a token. */
    String describe();

    /** What keeps this source's assertions fresh, for the advice on an expired one. */
    String refreshHint();

    /** The broker's own projected service-account token, at {@code broker.federation.token-file}. */
    record Kubernetes() implements AssertionSource {

        public static final String NAME = "kubernetes";

        @Override
        public String configName() {
            return NAME;
        }

        @Override
        public String describe() {
            return "the broker's projected service-account token (broker.federation.token-file)";
        }

        @Override
        public String refreshHint() {
            return "the kubelet rotates the projected token before 80% of its expirationSeconds: check that "
                    + "broker.federation.token-file names the projected volume's file (not a copy) and that the pod's "
                    + "serviceAccountToken volume is mounted";
        }
    }

    /**
     * A managed-identity token for the token-exchange audience from the platform's endpoint (App Service or IMDS).
     *
     * @param clientId the client id of a user-assigned identity; empty for the system-assigned one
     */
    record ManagedIdentity(Optional<String> clientId) implements AssertionSource {

        public static final String NAME = "managed_identity";

        public ManagedIdentity {
            Objects.requireNonNull(clientId, "clientId");
        }

        @Override
        public String configName() {
            return NAME;
        }

        @Override
        public String describe() {
            return clientId.map(id -> "the user-assigned managed identity " + id)
                    .orElse("the system-assigned managed identity");
        }

        @Override
        public String refreshHint() {
            return "managed-identity tokens are fetched fresh before they expire: check the host's clock";
        }
    }

    /**
     * A JWT another process keeps fresh in a file (e.g. a SPIFFE JWT-SVID written by a sidecar).
     *
     * @param path absolute and normalised, inside a directory of {@code broker.federation.assertion-directories}
     */
    record File(String path) implements AssertionSource {

        public static final String NAME = "file";

        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String configName() {
            return NAME;
        }

        @Override
        public String describe() {
            return "the assertion file " + path;
        }

        @Override
        public String refreshHint() {
            return "whatever writes " + path + " (a sidecar, an agent) has stopped replacing it before it expires";
        }
    }
}
