package io.exobroker.caller;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class CallerIndexTest {

    @Test
    void findsTheOneCallerWithAKeyAndNoneForAnUnknownKey() {
        CallerIndex index = CallerIndex.of(List.of(keyed("mailer", "mailer-key"), keyed("reporter", "reporter-key"),
                accountOnly("n8n", "low-code/n8n")));

        assertThat(index.withKeyDigest(sha256("mailer-key"))).map(Caller::id).hasValue("mailer");
        assertThat(index.withKeyDigest(sha256("nobody's key"))).isEmpty();
        assertThat(index.byId()).containsOnlyKeys("mailer", "reporter", "n8n");
        assertThat(index.contested()).isEmpty();
    }

    @Test
    void aKeyTwoCallersShareAuthenticatesAsNeitherAndIsContestedOnEach() {
        CallerIndex index = CallerIndex.of(List.of(keyed("reporter", "shared-key"), keyed("mailer", "shared-key"),
                keyed("sender", "own-key")));

        assertThat(index.withKeyDigest(sha256("shared-key"))).isEmpty();
        assertThat(index.withKeyDigest(sha256("own-key"))).map(Caller::id).hasValue("sender");
        assertThat(index.contested()).extracting(CallerIndex.Contested::callerId, CallerIndex.Contested::claim,
                CallerIndex.Contested::message).containsExactly(
                tuple("mailer", CallerIndex.Claim.API_KEY, "the same API key as caller reporter; the key authenticates "
                        + "as none of them until only one record has it"),
                tuple("reporter", CallerIndex.Claim.API_KEY, "the same API key as caller mailer; the key authenticates "
                        + "as none of them until only one record has it"));
        assertThat(index.contested()).allSatisfy(contested -> assertThat(contested.message())
                .doesNotContain(HexFormat.of().formatHex(sha256("shared-key"))));
    }

    @Test
    void anAccountTwoCallersClaimIsOwnedByNeitherAndListedBeforeSharedKeys() {
        CallerIndex index = CallerIndex.of(List.of(keyed("a-one", "shared-key"), keyed("a-two", "shared-key"),
                accountOnly("n8n", "low-code/shared"), accountOnly("node-red", "low-code/shared"),
                accountOnly("zapier", "low-code/zapier")));

        ServiceAccount shared = new ServiceAccount("low-code", "shared");
        assertThat(index.serviceAccounts().owner(shared)).isEmpty();
        assertThat(index.serviceAccounts().isContested(shared)).isTrue();
        assertThat(index.serviceAccounts().owner(new ServiceAccount("low-code", "zapier"))).map(Caller::id)
                .hasValue("zapier");
        assertThat(index.contested()).extracting(CallerIndex.Contested::callerId, CallerIndex.Contested::claim)
                .containsExactly(tuple("n8n", CallerIndex.Claim.SERVICE_ACCOUNT),
                        tuple("node-red", CallerIndex.Claim.SERVICE_ACCOUNT),
                        tuple("a-one", CallerIndex.Claim.API_KEY), tuple("a-two", CallerIndex.Claim.API_KEY));
        assertThat(index.contested().get(0).message()).isEqualTo("service account low-code/shared is also claimed by "
                + "caller node-red; it authenticates as none of them until only one record claims it");
    }

    @Test
    void twoCallersWithOneIdAreRefused() {
        assertThatThrownBy(() -> CallerIndex.of(List.of(keyed("mailer", "one"), keyed("mailer", "two"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mailer");
    }

    @Test
    void theEmptyIndexFindsNobody() {
        assertThat(CallerIndex.EMPTY.withKeyDigest(sha256("any"))).isEmpty();
        assertThat(CallerIndex.EMPTY.byId()).isEmpty();
        assertThat(CallerIndex.EMPTY.contested()).isEmpty();
    }

    private static Caller keyed(String id, String apiKey) {
        return new Caller(id, sha256(apiKey), List.of("*"), List.of("*"), false, Optional.empty());
    }

    private static Caller accountOnly(String id, String account) {
        return new Caller(id, null, List.of("*"), List.of("*"), false, Optional.empty(),
                List.of(ServiceAccount.parse(account).orElseThrow()));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
