package io.exobroker.testing.entra;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A federated identity credential (FIC) of an {@link EmulatedApp}: the app trusts tokens that {@code issuer} issued
 * to {@code subject} for one of {@code audiences} as its client credential (workload identity federation).
 *
 * <p>Matching is exact and case-sensitive, as Entra ID has done since its 2024 breaking change. Like Graph for apps,
 * a credential carries exactly one audience, normally {@value #TOKEN_EXCHANGE_AUDIENCE}.
 *
 * @param name      unique per app; what {@code az ad app federated-credential} calls the credential
 * @param issuer    the external issuer URL, compared with the assertion's {@code iss} character for character
 * @param subject   compared with the assertion's {@code sub}, e.g. {@code system:serviceaccount:ns:sa}
 * @param audiences the one audience the assertion's {@code aud} must contain
 * @param createdAt when the credential was created, which starts its propagation; {@code null} for one that has
 *                  been there for ever
 */
public record FederatedCredential(String name, String issuer, String subject, List<String> audiences,
                                  Instant createdAt) {

    /** The audience Entra ID expects in assertions it exchanges ({@code api://AzureADTokenExchange}). */
    public static final String TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

    public FederatedCredential {
        requireText(name, "name");
        requireText(issuer, "issuer");
        requireText(subject, "subject");
        audiences = List.copyOf(audiences);
        if (audiences.size() != 1) {
            throw new IllegalArgumentException("a federated identity credential has exactly one audience");
        }
        requireText(audiences.get(0), "audience");
    }

    /** A credential with the token-exchange audience that has been in the directory for ever. */
    public static FederatedCredential of(String name, String issuer, String subject) {
        return new FederatedCredential(name, issuer, subject, List.of(TOKEN_EXCHANGE_AUDIENCE), null);
    }

    /** Copy with another audience. */
    public FederatedCredential withAudience(String audience) {
        return new FederatedCredential(name, issuer, subject, List.of(audience), createdAt);
    }

    /** Copy created at {@code instant}, so it matches only once the propagation delay has passed. */
    public FederatedCredential createdAt(Instant instant) {
        return new FederatedCredential(name, issuer, subject, audiences, Objects.requireNonNull(instant, "instant"));
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }
}
