package io.exobroker.registration;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * How a registration proves itself to Entra ID: a client secret, a certificate whose key signs an assertion, or a
 * federated assertion another issuer gives the broker (nothing secret stored).
 */
public sealed interface Credential {

    /** When this credential stops working, if known: the secret's expiry or the certificate's not-after. */
    Optional<Instant> expiresAt();

    String typeName();

    record ClientSecret(Secret secret, Optional<Instant> expiresAt) implements Credential {
        public ClientSecret {
            if (secret == null || secret.isBlank()) {
                throw new IllegalArgumentException("client secret is empty");
            }
        }

        @Override
        public String typeName() {
            return "client_secret";
        }

        @Override
        public String toString() {
            return "ClientSecret[expiresAt=" + expiresAt.map(Instant::toString).orElse("unknown") + "]";
        }
    }

    /** A certificate credential; the chain's first entry is the certificate registered in the Azure portal. */
    record Certificate(PrivateKey privateKey, List<X509Certificate> chain, boolean sendX5c) implements Credential {
        public Certificate {
            if (privateKey == null || chain == null || chain.isEmpty()) {
                throw new IllegalArgumentException("certificate credential needs a private key and a certificate");
            }
            chain = List.copyOf(chain);
        }

        public X509Certificate leaf() {
            return chain.get(0);
        }

        /** SHA-1 thumbprint in upper-case hex, as the Azure portal shows it. */
        public String thumbprint() {
            return thumbprintOf(leaf());
        }

        /** SHA-1 thumbprint of any certificate, in upper-case hex, as the Azure portal shows it. */
        public static String thumbprintOf(X509Certificate certificate) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded());
                return HexFormat.of().withUpperCase().formatHex(digest);
            } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
                throw new IllegalStateException("cannot compute certificate thumbprint", e);
            }
        }

        @Override
        public Optional<Instant> expiresAt() {
            return Optional.of(leaf().getNotAfter().toInstant());
        }

        @Override
        public String typeName() {
            return "certificate";
        }

        /** Never prints the key: some JDK key classes print their private parameters. */
        @Override
        public String toString() {
            return "Certificate[thumbprint=" + thumbprint() + ", sendX5c=" + sendX5c + "]";
        }
    }

    /**
     * A federated credential: the app trusts tokens from another issuer (a Kubernetes cluster, a managed identity, any
     * OIDC issuer) through a federated identity credential, and the broker presents one as its client assertion. The
     * record holds where the assertion comes from, never an assertion: each mint reads or fetches a fresh one.
     */
    record Federated(AssertionSource source) implements Credential {
        public Federated {
            if (source == null) {
                throw new IllegalArgumentException("a federated credential needs an assertion source");
            }
        }

        /** Nothing expires that the broker could warn about: the assertions are short-lived and renewed each mint. */
        @Override
        public Optional<Instant> expiresAt() {
            return Optional.empty();
        }

        @Override
        public String typeName() {
            return "federated";
        }

        @Override
        public String toString() {
            return "Federated[source=" + source.configName() + "]";
        }
    }
}
