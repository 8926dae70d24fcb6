package io.exobroker.api;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SurfaceTest {

    @Test
    void recognisesEachSurfaceWhateverTheSlashes() {
        assertThat(Surface.of("/v1/token")).isEqualTo(Surface.TOKEN_API);
        assertThat(Surface.of("//v1//token/")).isEqualTo(Surface.TOKEN_API);
        assertThat(Surface.of("v1/token")).isEqualTo(Surface.TOKEN_API);
        assertThat(Surface.of("/msi/token/")).isEqualTo(Surface.MANAGED_IDENTITY);
        assertThat(Surface.of("/v1/registrations/contoso/oauth2/token")).isEqualTo(Surface.OAUTH2);
        assertThat(Surface.of("/v1//admin/registrations")).isEqualTo(Surface.ADMIN);
        assertThat(Surface.of("/v1/else")).isEqualTo(Surface.OTHER_API);
        assertThat(Surface.of("/q/health/live")).isEqualTo(Surface.NONE);
        assertThat(Surface.of("///")).isEqualTo(Surface.NONE);
        assertThat(Surface.of("")).isEqualTo(Surface.NONE);
    }

    /** Issue 11, item 3: what runs decides, so a spelling of a path cannot be treated as another surface. */
    @Test
    void decidesFromTheResourceTheRequestWasRoutedTo() {
        assertThat(Surface.routedTo(TokenResource.class)).isEqualTo(Surface.TOKEN_API);
        assertThat(Surface.routedTo(OAuth2TokenResource.class)).isEqualTo(Surface.OAUTH2);
        assertThat(Surface.routedTo(ManagedIdentityResource.class)).isEqualTo(Surface.MANAGED_IDENTITY);
        assertThat(Surface.routedTo(XOAuth2Resource.class)).isEqualTo(Surface.XOAUTH2);
        assertThat(Surface.routedTo(AdminResource.class)).isEqualTo(Surface.ADMIN);
        // A resource added later without a surface here is still authenticated by header.
        assertThat(Surface.routedTo(Object.class)).isEqualTo(Surface.OTHER_API);
        assertThat(Surface.OTHER_API.usesApiKeyHeaders()).isTrue();
    }

    @Test
    void normalisesLikeCollapsingSlashesAndTrimmingTheEnd() {
        Random random = new Random(7L);
        String alphabet = "/////v1tokenmsi.%";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder path = new StringBuilder();
            int length = random.nextInt(20);
            for (int j = 0; j < length; j++) {
                path.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String candidate = path.toString();
            assertThat(Surface.normalise(candidate)).as(candidate).isEqualTo(byDefinition(candidate));
        }
    }

    /** The definition the loop implements: collapse runs of '/', drop trailing '/', make absolute. */
    private static String byDefinition(String path) {
        String normalised = path.replaceAll("/{2,}", "/");
        while (normalised.length() > 1 && normalised.endsWith("/")) {
            normalised = normalised.substring(0, normalised.length() - 1);
        }
        return normalised.startsWith("/") ? normalised : "/" + normalised;
    }
}
