package io.exobroker.testing.entra;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Single entry point for every request: records it, dispatches by method and path, and turns anything the
 * emulator does not implement into a recorded "unexpected request", so tests notice when a client calls
 * something the real service would have answered differently.
 */
final class Routes implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(Routes.class.getName());

    private static final Pattern TOKEN = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token");
    private static final Pattern OPENID_CONFIGURATION =
            Pattern.compile("/([^/]+)/v2\\.0/\\.well-known/openid-configuration");
    private static final Pattern KEYS = Pattern.compile("/([^/]+)/discovery/v2\\.0/keys");
    private static final String INSTANCE_DISCOVERY = "/common/discovery/instance";

    private final TokenEndpoint tokenEndpoint;
    private final DiscoveryDocuments discovery;
    private final Directory directory;
    private final Observations observations;
    private final Clock clock;

    Routes(TokenEndpoint tokenEndpoint, DiscoveryDocuments discovery, Directory directory,
           Observations observations, Clock clock) {
        this.tokenEndpoint = tokenEndpoint;
        this.discovery = discovery;
        this.directory = directory;
        this.observations = observations;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        RequestIds ids = RequestIds.of(exchange, clock.instant());
        RecordedRequest request = record(exchange);
        observations.request(request);
        try {
            dispatch(exchange, request, ids);
        } catch (IOException | RuntimeException e) {
            // The JDK server only logs handler failures at debug level; an emulator bug must not look like a fault.
            LOG.log(System.Logger.Level.WARNING, "Entra ID emulator failed on " + request.requestLine(), e);
            if (exchange.getResponseCode() == -1) {
                HttpReplies.error(exchange, ids, AadstsError.SERVER_ERROR, Map.of(), null);
            }
            throw e;
        } finally {
            exchange.close();
        }
    }

    private void dispatch(HttpExchange exchange, RecordedRequest request, RequestIds ids) throws IOException {
        String method = request.method();
        String path = request.path();
        Matcher matcher;
        if ("POST".equals(method) && (matcher = TOKEN.matcher(path)).matches()) {
            tokenEndpoint.handle(exchange, matcher.group(1), ids);
        } else if ("GET".equals(method) && (matcher = OPENID_CONFIGURATION.matcher(path)).matches()) {
            String tenant = matcher.group(1);
            if (directory.tenantExists(tenant)) {
                HttpReplies.json(exchange, ids, 200, discovery.openIdConfiguration(tenant));
            } else {
                HttpReplies.error(exchange, ids, AadstsError.TENANT_NOT_FOUND, Map.of("tenant", tenant), null);
            }
        } else if ("GET".equals(method) && (matcher = KEYS.matcher(path)).matches()) {
            HttpReplies.json(exchange, ids, 200, discovery.keys(matcher.group(1)));
        } else if ("GET".equals(method) && INSTANCE_DISCOVERY.equals(path)) {
            String endpoint = queryParameter(request.query(), "authorization_endpoint");
            HttpReplies.json(exchange, ids, 200, discovery.instanceDiscovery(endpoint));
        } else {
            observations.unexpected(request);
            HttpReplies.json(exchange, ids, 404, Map.of("error", "not_found",
                    "error_description", "The Entra ID emulator does not implement " + request.requestLine()));
        }
    }

    private RecordedRequest record(HttpExchange exchange) {
        URI uri = exchange.getRequestURI();
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name, "Authorization".equalsIgnoreCase(name) ? List.of("***") : List.copyOf(values)));
        return new RecordedRequest(clock.instant(), exchange.getRequestMethod(), uri.getRawPath(),
                uri.getRawQuery(), headers);
    }

    private static String queryParameter(String query, String name) {
        FormParameters parameters = FormParameters.parse(query);
        return parameters.get(name);
    }
}
