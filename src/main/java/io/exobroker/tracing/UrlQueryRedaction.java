package io.exobroker.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps query values out of the HTTP spans Quarkus records ({@code url.query} on server spans, {@code url.full} on
 * client spans): a query is the caller's to fill, and a misconfigured client puts its key or secret there
 * ({@code ?client_secret=...}, {@code ?api_key=...}). Only the parameter names are kept, which is what tells one
 * request from another ({@code resource&api-version&client_id}). Quarkus records no request headers by default, so the
 * {@code Authorization} and {@code X-IDENTITY-HEADER} headers never reach a span.
 *
 * <p>Quarkus adds every {@link SpanProcessor} bean to the tracer provider; it runs when a span starts, after the HTTP
 * instrumentation set these attributes and before anything is exported.
 */
@ApplicationScoped
public class UrlQueryRedaction implements SpanProcessor {

    static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        String query = span.getAttribute(URL_QUERY);
        if (query != null) {
            span.setAttribute(URL_QUERY, parameterNames(query));
        }
        String full = span.getAttribute(URL_FULL);
        if (full != null) {
            span.setAttribute(URL_FULL, withoutQueryValues(full));
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }

    /** {@code a=1&b=2&c} → {@code a&b&c}; names cut at the first {@code =}, fragment dropped. */
    static String parameterNames(String query) {
        StringBuilder names = new StringBuilder();
        for (String parameter : query.split("&", -1)) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            int fragment = name.indexOf('#');
            if (fragment >= 0) {
                name = name.substring(0, fragment);
            }
            if (!name.isEmpty()) {
                if (names.length() > 0) {
                    names.append('&');
                }
                names.append(name);
            }
        }
        return names.toString();
    }

    /** A URL with its query reduced to parameter names and without user info or fragment. */
    static String withoutQueryValues(String url) {
        int fragment = url.indexOf('#');
        String rest = fragment < 0 ? url : url.substring(0, fragment);
        int question = rest.indexOf('?');
        String base = question < 0 ? rest : rest.substring(0, question);
        int scheme = base.indexOf("://");
        int at = base.indexOf('@');
        int pathStart = scheme < 0 ? -1 : base.indexOf('/', scheme + 3);
        if (scheme >= 0 && at > scheme && (pathStart < 0 || at < pathStart)) {
            base = base.substring(0, scheme + 3) + base.substring(at + 1);
        }
        return question < 0 ? base : base + "?" + parameterNames(rest.substring(question + 1));
    }
}
