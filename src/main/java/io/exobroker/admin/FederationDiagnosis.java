package io.exobroker.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.admin.AdminViews.AssertionView;
import io.exobroker.federation.PresentedAssertion;
import io.exobroker.registration.Registration;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the admin {@code check} says about a federated registration's assertion: the issuer, subject and audience it
 * presented, read from the assertion, and, when Entra ID found no federated identity credential matching them, the
 * {@code az ad app federated-credential create} command that would create one.
 */
final class FederationDiagnosis {

    /** The codes meaning "no federated identity credential matches": the command then fixes it. */
    static final Set<Integer> NO_MATCHING_CREDENTIAL = Set.of(70021, 700211, 700212, 700213, 7002138);
    private static final ObjectMapper JSON = new ObjectMapper();

    private FederationDiagnosis() {
    }

    /** @param withCommand whether to add the command creating a matching credential */
    static AssertionView view(Registration registration, PresentedAssertion presented, boolean withCommand) {
        return new AssertionView(presented.source().configName(), presented.issuer().orElse(null),
                presented.subject().orElse(null), presented.audiences(),
                presented.issuedAt().map(Instant::toString).orElse(null),
                presented.expiresAt().map(Instant::toString).orElse(null),
                presented.expiredAt(presented.readAt()),
                withCommand ? command(registration, presented) : null);
    }

    /** One line for the diagnosis: what the broker presented, as a federated identity credential must name it. */
    static String presentedLine(PresentedAssertion presented) {
        return "the broker presented " + presented.source().describe() + " with issuer '"
                + presented.issuer().orElse("(none)") + "', subject '" + presented.subject().orElse("(none)")
                + "' and audience '" + String.join(", ", presented.audiences()) + "'"
                + presented.expiresAt().map(exp -> (presented.expiredAt(presented.readAt()) ? ", which expired at "
                : ", valid until ") + exp).orElse("");
    }

    /**
     * {@code az ad app federated-credential create} with a credential matching the assertion, quoted for a POSIX
     * shell. The audience is the cloud's token-exchange audience when the assertion carries it, else its first one.
     */
    static String command(Registration registration, PresentedAssertion presented) {
        String tokenExchange = registration.cloud().tokenExchangeAudience();
        List<String> audiences = presented.audiences();
        String audience = audiences.contains(tokenExchange) || audiences.isEmpty() ? tokenExchange : audiences.get(0);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("name", "exo-token-broker-" + registration.id());
        parameters.put("issuer", presented.issuer().orElse("<issuer>"));
        parameters.put("subject", presented.subject().orElse("<subject>"));
        parameters.put("audiences", List.of(audience));
        String json;
        try {
            json = JSON.writeValueAsString(parameters);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the credential's parameters", e);
        }
        return "az ad app federated-credential create --id " + registration.clientId() + " --parameters '"
                + json.replace("'", "'\\''") + "'";
    }
}
