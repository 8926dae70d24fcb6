package io.exobroker.testing.vault;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;

import com.sun.net.httpserver.HttpExchange;

/** Every request the emulator received, and the ones it had no route for, in arrival order. Thread-safe. */
final class RequestJournal {

    /** Query parameters of the Vault API that never carry secrets; other parameters are logged by name only. */
    private static final Set<String> SAFE_QUERY_PARAMETERS = Set.of("version", "list", "standbyok", "perfstandbyok",
            "depth", "sealedcode", "uninitcode", "standbycode");

    private final List<RecordedRequest> requests = new ArrayList<>();
    private final List<String> unexpected = new ArrayList<>();

    RecordedRequest record(HttpExchange exchange) {
        Set<String> names = new TreeSet<>();
        exchange.getRequestHeaders().keySet().forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
        RecordedRequest request = new RecordedRequest(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                safeQuery(exchange.getRequestURI().getRawQuery()), List.copyOf(names),
                ApiRequest.tokenOf(exchange) != null);
        synchronized (this) {
            requests.add(request);
        }
        return request;
    }

    synchronized void unexpected(String line) {
        unexpected.add(line);
    }

    synchronized int count() {
        return requests.size();
    }

    /** @param pathPrefix matched against the full path; one without a leading slash is taken as relative to /v1/ */
    synchronized int count(String method, String pathPrefix) {
        String prefix = pathPrefix.startsWith("/") ? pathPrefix : ApiRequest.API_PREFIX + pathPrefix;
        return (int) requests.stream()
                .filter(request -> request.method().equalsIgnoreCase(method) && request.path().startsWith(prefix))
                .count();
    }

    synchronized List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    synchronized List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    synchronized void clear() {
        requests.clear();
        unexpected.clear();
    }

    private static String safeQuery(String rawQuery) {
        StringJoiner joined = new StringJoiner("&");
        for (Map.Entry<String, String> parameter : ApiRequest.queryOf(rawQuery).entrySet()) {
            boolean safe = SAFE_QUERY_PARAMETERS.contains(parameter.getKey().toLowerCase(Locale.ROOT));
            joined.add(safe ? parameter.getKey() + "=" + parameter.getValue() : parameter.getKey());
        }
        return joined.toString();
    }
}
