package io.exobroker.testing.entra;

/** How a client proved it is the app; {@code appidacr} is the claim Entra ID records it in. */
public enum CredentialKind {
    SECRET("1"),
    CERTIFICATE("2"),
    /** A client assertion from an external issuer, matched against a federated identity credential. */
    FEDERATED("2");

    private final String appidacr;

    CredentialKind(String appidacr) {
        this.appidacr = appidacr;
    }

    String appidacr() {
        return appidacr;
    }
}
