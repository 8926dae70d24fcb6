package io.exobroker.testing.vault;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * One parsed Vault API call. {@code path} is relative to {@code /v1/} and keeps a trailing slash if the client sent
 * one, because Vault distinguishes {@code LIST a} from {@code LIST a/} only after normalising, which the routes do.
 */
record ApiRequest(String method, String path, Map<String, String> query, String token, ObjectNode body) {

    static final String API_PREFIX = "/v1/";

    /** Vault reads both headers; {@code X-Vault-Token} wins when a client sends both. */
    static String tokenOf(HttpExchange exchange) {
        String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
        if (token != null && !token.isBlank()) {
            return token.trim();
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    static ApiRequest parse(HttpExchange exchange, ObjectMapper mapper) throws MalformedRequestException {
        String rawPath = exchange.getRequestURI().getPath();
        String path = rawPath.startsWith(API_PREFIX) ? rawPath.substring(API_PREFIX.length()) : rawPath;
        return new ApiRequest(exchange.getRequestMethod().toUpperCase(Locale.ROOT), path,
                queryOf(exchange.getRequestURI().getRawQuery()), tokenOf(exchange), bodyOf(exchange, mapper));
    }

    boolean isOneOf(String... methods) {
        for (String candidate : methods) {
            if (candidate.equals(method)) {
                return true;
            }
        }
        return false;
    }

    /** Vault treats {@code GET ...?list=true} exactly like the {@code LIST} verb. */
    boolean isList() {
        return "LIST".equals(method) || ("GET".equals(method) && "true".equalsIgnoreCase(query.get("list")));
    }

    static Map<String, String> queryOf(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            query.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return query;
    }

    private static ObjectNode bodyOf(HttpExchange exchange, ObjectMapper mapper) throws MalformedRequestException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new MalformedRequestException("failed to read request body");
        }
        if (bytes.length == 0) {
            return mapper.createObjectNode();
        }
        try {
            JsonNode node = mapper.readTree(bytes);
            if (node == null || node.isNull() || node.isMissingNode()) {
                return mapper.createObjectNode();
            }
            if (!node.isObject()) {
                throw new MalformedRequestException("failed to parse JSON input: expected an object");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new MalformedRequestException("failed to parse JSON input");
        }
    }

    /** A request Vault would reject with 400 before routing it. */
    static final class MalformedRequestException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedRequestException(String message) {
            super(message, null, false, false);
        }
    }
}
