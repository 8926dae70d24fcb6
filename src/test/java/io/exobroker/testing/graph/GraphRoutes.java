package io.exobroker.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Single entry point for every Graph request: journals it (method, path and OData query options; never a header
 * value or body), applies injected faults, dispatches by path and method, and turns a {@link GraphRequestRejected}
 * into Graph's error response. A path the emulator does not implement is recorded as unexpected and answered 404.
 */
final class GraphRoutes implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(GraphRoutes.class.getName());
    private static final Pattern SEND_MAIL =
            Pattern.compile("/v1\\.0/users/([^/]+)/sendMail", Pattern.CASE_INSENSITIVE);
    private static final Pattern MESSAGES = Pattern.compile("/v1\\.0/users/([^/]+)/messages", Pattern.CASE_INSENSITIVE);
    private static final Pattern KEY_BY_OBJECT_ID = Pattern.compile(
            "/v1\\.0/applications/([^/()']+)/(?:microsoft\\.graph\\.)?(addKey|removeKey)", Pattern.CASE_INSENSITIVE);
    private static final Pattern KEY_BY_APP_ID = Pattern.compile(
            "/v1\\.0/applications\\(appId='([^']+)'\\)/(?:microsoft\\.graph\\.)?(addKey|removeKey)",
            Pattern.CASE_INSENSITIVE);
    private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    private static final String UNREADABLE_JSON = "Unable to read JSON request payload. Please ensure Content-Type "
            + "header is set and payload is of valid JSON format.";

    private final SendMail sendMail;
    private final MailboxMessages messages;
    private final ApplicationKeys keys;
    private final GraphFaults faults;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> unexpectedRequests = new CopyOnWriteArrayList<>();

    GraphRoutes(SendMail sendMail, MailboxMessages messages, ApplicationKeys keys, GraphFaults faults, Clock clock) {
        this.sendMail = sendMail;
        this.messages = messages;
        this.keys = keys;
        this.faults = faults;
        this.clock = clock;
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    List<String> unexpectedRequests() {
        return List.copyOf(unexpectedRequests);
    }

    void clear() {
        requests.clear();
        unexpectedRequests.clear();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String line = exchange.getRequestMethod() + " " + path + journalQuery(query);
            requests.add(line);
            try {
                dispatch(exchange, path, query, line);
            } catch (GraphRequestRejected rejected) {
                reply(exchange, rejected);
            } catch (RuntimeException e) {
                // The JDK server logs handler failures at debug level only; an emulator bug must not look like a fault.
                LOG.log(System.Logger.Level.WARNING, "Graph emulator failed on " + line, e);
                GraphReplies.error(exchange, 500, "generalException", "General exception while processing.",
                        clock.instant());
            }
        }
    }

    private void dispatch(HttpExchange exchange, String path, Map<String, String> query, String line)
            throws IOException {
        String method = exchange.getRequestMethod();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher matcher;
        if ((matcher = SEND_MAIL.matcher(path)).matches()) {
            String user = matcher.group(1);
            requireMethod(method, "POST");
            failIfFaulted(GraphOperation.SEND_MAIL, rejection -> sendMail.refused(user, rejection));
            sendMail.send(user, authorization, readLeniently(exchange));
            GraphReplies.noContent(exchange, 202);
        } else if ((matcher = MESSAGES.matcher(path)).matches()) {
            String mailbox = matcher.group(1);
            requireMethod(method, "GET");
            failIfFaulted(GraphOperation.LIST_MESSAGES, rejection -> messages.refused(mailbox, rejection));
            GraphReplies.json(exchange, 200, messages.list(mailbox, authorization, query));
        } else if ((matcher = KEY_BY_OBJECT_ID.matcher(path)).matches()) {
            keyOperation(exchange, new ApplicationKeys.Address(matcher.group(1), null), matcher.group(2),
                    authorization);
        } else if ((matcher = KEY_BY_APP_ID.matcher(path)).matches()) {
            keyOperation(exchange, new ApplicationKeys.Address(null, matcher.group(1)), matcher.group(2),
                    authorization);
        } else {
            unexpectedRequests.add(line);
            throw new GraphRequestRejected(404, "Request_ResourceNotFound", "Resource not found for the segment.",
                    "no such path");
        }
    }

    private void keyOperation(HttpExchange exchange, ApplicationKeys.Address address, String action,
                              String authorization) throws IOException {
        boolean add = "addKey".equalsIgnoreCase(action);
        String operation = add ? "addKey" : "removeKey";
        requireMethod(exchange.getRequestMethod(), "POST");
        failIfFaulted(add ? GraphOperation.ADD_KEY : GraphOperation.REMOVE_KEY,
                rejection -> keys.refused(operation, address, rejection, null));
        Optional<JsonNode> body = readStrictly(exchange);
        if (body.isEmpty()) {
            GraphRequestRejected unreadable = new GraphRequestRejected(400, "BadRequest", UNREADABLE_JSON,
                    "the body is not JSON or Content-Type is not application/json");
            keys.refused(operation, address, unreadable, null);
            throw unreadable;
        }
        if (add) {
            GraphReplies.json(exchange, 200, keys.addKey(address, authorization, body.get()));
        } else {
            keys.removeKey(address, authorization, body.get());
            GraphReplies.noContent(exchange, 204);
        }
    }

    private interface Refusal {
        void record(GraphRequestRejected rejection);
    }

    private void failIfFaulted(GraphOperation operation, Refusal journal) {
        Optional<GraphFault> fault = faults.next(operation);
        if (fault.isPresent()) {
            GraphRequestRejected rejection = fault.get().rejection(operation);
            journal.record(rejection);
            throw rejection;
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!allowed.equals(method)) {
            throw new GraphRequestRejected(405, "Request_BadRequest",
                    "The HTTP method is not allowed for this resource.",
                    method + " instead of " + allowed);
        }
    }

    private void reply(HttpExchange exchange, GraphRequestRejected rejected) throws IOException {
        if (rejected.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(rejected.retryAfter().toSeconds()));
        }
        if (rejected.status() == 401 && "InvalidAuthenticationToken".equals(rejected.code())) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"\", "
                    + "authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", "
                    + "client_id=\"00000003-0000-0000-c000-000000000000\"");
        }
        GraphReplies.error(exchange, rejected.status(), rejected.code(), rejected.getMessage(), clock.instant());
    }

    /** The body as JSON, or {@code null} when it is not JSON: sendMail judges that after the token. */
    private JsonNode readLeniently(HttpExchange exchange) throws IOException {
        byte[] bytes = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES);
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    /** The body as a JSON object, when Content-Type says JSON and it parses as an object. */
    private Optional<JsonNode> readStrictly(HttpExchange exchange) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        byte[] bytes = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return Optional.empty();
        }
        try {
            JsonNode node = json.readTree(bytes);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                query.putIfAbsent(name, value);
            }
        }
        return query;
    }

    /** OData system query options ({@code $top}, {@code $select}) with values, anything else by name only. */
    private static String journalQuery(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringJoiner joined = new StringJoiner("&", "?", "");
        query.forEach((name, value) -> joined.add(name.startsWith("$") ? name + "=" + value : name));
        return joined.toString();
    }
}
