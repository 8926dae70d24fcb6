package io.exobroker.tracing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UrlQueryRedactionTest {

    @Test
    void keepsOnlyTheNamesOfQueryParameters() {
        assertThat(UrlQueryRedaction.parameterNames("resource=https%3A%2F%2Fgraph.microsoft.com&api-version=2019-08-01"))
                .isEqualTo("resource&api-version");
        assertThat(UrlQueryRedaction.parameterNames("client_secret=s3cr3t&flag&=orphan&x=1#frag")).isEqualTo("client_secret&flag&x");
        assertThat(UrlQueryRedaction.parameterNames("")).isEmpty();
    }

    @Test
    void dropsQueryValuesUserInfoAndFragmentFromAFullUrl() {
        assertThat(UrlQueryRedaction.withoutQueryValues("https://vault:8200/v1/secret/metadata/exo?list=true"))
                .isEqualTo("https://vault:8200/v1/secret/metadata/exo?list");
        assertThat(UrlQueryRedaction.withoutQueryValues("https://user:pass@host/path?token=abc#part"))
                .isEqualTo("https://host/path?token");
        assertThat(UrlQueryRedaction.withoutQueryValues("https://host/a@b")).isEqualTo("https://host/a@b");
    }
}
