package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.logging.Log;
import io.quarkus.smallrye.openapi.runtime.OpenApiConstants;
import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import io.quarkus.vertx.http.ManagementInterface;
import io.smallrye.openapi.runtime.io.Format;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code GET /q/openapi-v2} on the management interface: the OpenAPI 2.0 (Swagger) document of the token surfaces,
 * for Power Automate and Logic Apps custom connectors, which import nothing newer.
 *
 * <p>It is lowered, on first request, from the very bytes {@code /q/openapi} serves, so the two cannot drift: the
 * 3.1 document stays the one source, written by the resources' annotations. Doing it at run time rather than in the
 * build keeps it right under any runtime OpenAPI configuration, costs one conversion per process, and needs no build
 * step after Quarkus has packaged the application. Admin and managed identity are left out: a connector has no use
 * for the first, and the second takes the caller's key as a request header the flow would have to hold.
 *
 * <p>{@code ?host=broker.example:8443} writes that host and HTTPS into the document, so the import needs no editing;
 * without it, 2.0 means the host that served the document, which here is the management port, not the API's.
 */
@ApplicationScoped
public class ConnectorDocument {

    static final String PATH = "/q/openapi-v2";
    static final List<String> SURFACES = List.of(Surface.TOKEN_PATH, Surface.OAUTH2_PATH, Surface.XOAUTH2_PATH);
    /** A DNS name or IPv4 address with an optional port: nothing that could break out of the JSON or the URL. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::[0-9]{1,5})?");

    private final OpenApiDocumentService documents;
    private final ObjectMapper json = new ObjectMapper();
    private volatile ObjectNode lowered;

    public ConnectorDocument(OpenApiDocumentService documents) {
        this.documents = documents;
    }

    void register(@Observes ManagementInterface management) {
        management.router().get(PATH).handler(this::serve);
    }

    private void serve(RoutingContext context) {
        List<String> hosts = context.queryParam("host");
        String host = hosts.isEmpty() ? null : hosts.get(0);
        if (hosts.size() > 1 || host != null && !HOST.matcher(host).matches()) {
            context.response().setStatusCode(400).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("host must be one host name or address, with an optional :port\n");
            return;
        }
        ObjectNode document;
        try {
            document = document(host);
        } catch (IOException | IllegalArgumentException e) {
            Log.errorf("The OpenAPI 2.0 connector document could not be made from /q/openapi: %s", e.getMessage());
            context.response().setStatusCode(500).end();
            return;
        }
        context.response().putHeader("Content-Type", "application/json")
                .putHeader("Content-Disposition", "inline; filename=\"exo-token-broker.swagger.json\"")
                .end(document.toPrettyString());
    }

    /** The connector document, with {@code host} (and HTTPS) in it when given. */
    ObjectNode document(String host) throws IOException {
        ObjectNode base = lowered;
        if (base == null) {
            JsonNode source = json.readTree(documents.getDocument(OpenApiConstants.DEFAULT_DOCUMENT_NAME, Format.JSON));
            base = OpenApiV2Converter.convert(source, SURFACES);
            lowered = base;
        }
        if (host == null) {
            return base;
        }
        ObjectNode withHost = json.createObjectNode();
        base.fields().forEachRemaining(field -> {
            withHost.set(field.getKey(), field.getValue());
            if ("info".equals(field.getKey())) {
                withHost.put("host", host);
                withHost.put("basePath", "/");
                withHost.putArray("schemes").add("https");
            }
        });
        return withHost;
    }
}
