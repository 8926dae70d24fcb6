package io.exobroker.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;

/** The OpenAPI description low-code platforms import as a connector. */
@OpenAPIDefinition(info = @Info(title = "exo-token-broker", version = "1",
        description = "Hands out Microsoft Graph and Exchange Online access tokens for registered Entra ID apps. "
                + "Callers never see client secrets or certificates.",
        license = @License(name = "Proprietary")))
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.HEADER,
                apiKeyName = CallerCredential.Headers.API_KEY_HEADER, description = "The caller's API key"),
        @SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
                description = "The caller's API key, or its Kubernetes service-account token, as a bearer token")})
public class BrokerApplication extends Application {
}
