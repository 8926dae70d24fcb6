package io.exobroker.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Locale;

/**
 * The one place that names the broker's spans and their attributes: a token request on any surface, the call to
 * Entra ID under it, and the Vault store's requests. The token lifecycle and the stores only say what happened;
 * this class decides what a trace shows.
 *
 * <p>Every value put on a span is an identifier, a label or an outcome code: never a token, secret, key, password,
 * assertion or free-text error message (which could quote one). The HTTP server spans Quarkus makes are cleaned by
 * {@link UrlQueryRedaction}.
 *
 * <p>Tracing is off unless {@code quarkus.otel.sdk.disabled=false}. Off, every method answers the shared invalid
 * span or does nothing, so the token path builds no span, no attribute and no scope.
 */
@Singleton
public class Tracing {

    public static final AttributeKey<String> SURFACE = AttributeKey.stringKey("exobroker.surface");
    public static final AttributeKey<String> CALLER = AttributeKey.stringKey("exobroker.caller");
    public static final AttributeKey<String> REGISTRATION = AttributeKey.stringKey("exobroker.registration");
    public static final AttributeKey<String> RESOURCE = AttributeKey.stringKey("exobroker.resource");
    /** Where the token came from: {@code cache}, {@code minted} or {@code stale}. */
    public static final AttributeKey<String> TOKEN_SOURCE = AttributeKey.stringKey("exobroker.token.source");
    /** The broker's error code ({@code ErrorCode.code()}) a refused request was answered with. */
    public static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("exobroker.error");
    public static final AttributeKey<String> SCOPE = AttributeKey.stringKey("exobroker.scope");
    public static final AttributeKey<String> CREDENTIAL_TYPE = AttributeKey.stringKey("exobroker.credential_type");
    /** How a call to Entra ID or Vault ended, as the metrics label it ({@code success}, {@code rejected}, ...). */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("exobroker.outcome");
    public static final AttributeKey<Long> AADSTS = AttributeKey.longKey("exobroker.aadsts");
    public static final AttributeKey<String> VAULT_OPERATION = AttributeKey.stringKey("exobroker.vault.operation");
    /** A record's path below the KV mount: names a registration or caller, never holds its fields. */
    public static final AttributeKey<String> VAULT_PATH = AttributeKey.stringKey("exobroker.vault.path");

    static final String TOKEN_REQUEST = "token request";
    static final String ENTRA_CALL = "Entra ID token";
    static final String VAULT_LOAD = "Vault store load";
    static final String VAULT_REREAD = "Vault store re-read";
    private static final String INSTRUMENTATION = "io.exobroker";
    private static final Tracing OFF = new Tracing(null);

    /** Null when tracing is off: nothing below may build a span then. */
    private final Tracer tracer;

    @Inject
    public Tracing(OpenTelemetry openTelemetry,
                   @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "true") boolean disabled) {
        this(disabled ? null : openTelemetry.getTracer(INSTRUMENTATION));
    }

    private Tracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Tracing that does nothing, for code built outside CDI (tests, tools). */
    public static Tracing off() {
        return OFF;
    }

    /** A tracing seam writing to this tracer, for tests that read spans without a running broker. */
    public static Tracing to(Tracer tracer) {
        return new Tracing(tracer);
    }

    public boolean isOn() {
        return tracer != null;
    }

    /**
     * A token request on a surface by an authenticated caller. What the caller asked for is added by
     * {@link #tokenTarget} once it is checked: a raw request field may hold anything, a pasted key included.
     */
    public Span tokenRequest(String surface, String callerId) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        Span span = tracer.spanBuilder(TOKEN_REQUEST).setSpanKind(SpanKind.INTERNAL).startSpan();
        span.setAttribute(SURFACE, surface);
        if (callerId != null) {
            span.setAttribute(CALLER, callerId);
        }
        return span;
    }

    /** The registration (a valid slug) and the resource's canonical label the caller was granted. */
    public void tokenTarget(Span span, String registrationId, String resourceLabel) {
        if (span.getSpanContext().isValid()) {
            span.setAttribute(REGISTRATION, registrationId);
            span.setAttribute(RESOURCE, resourceLabel);
        }
    }

    /**
     * The request was answered with a token from {@code source} ({@code CACHE}, {@code MINTED}, {@code STALE}),
     * recorded in lower case. An enum, so that with tracing off not even its label is built.
     */
    public void tokenServed(Span span, Enum<?> source) {
        if (span.getSpanContext().isValid()) {
            span.setAttribute(TOKEN_SOURCE, source.name().toLowerCase(Locale.ROOT));
            span.end();
        }
    }

    /** The request was refused with this error code. */
    public void tokenRefused(Span span, String errorCode) {
        if (span.getSpanContext().isValid()) {
            span.setAttribute(ERROR_CODE, errorCode);
            span.setStatus(StatusCode.ERROR, errorCode);
            span.end();
        }
    }

    /** Makes the span the parent of what starts on this thread until the scope closes. */
    public Scope activate(Span span) {
        return span.getSpanContext().isValid() ? span.makeCurrent() : Scope.noop();
    }

    /** One call to Entra ID's token endpoint (a child of the token request that started it, if any). */
    public Span entraCall(String registrationId, String credentialType, String scope) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(ENTRA_CALL).setSpanKind(SpanKind.CLIENT)
                .setAttribute(REGISTRATION, registrationId)
                .setAttribute(CREDENTIAL_TYPE, credentialType)
                .setAttribute(SCOPE, scope)
                .startSpan();
    }

    /** A Vault store's load of every record that changed (a poll), the parent of its Vault requests. */
    public Span vaultLoad() {
        return tracer == null ? Span.getInvalid() : tracer.spanBuilder(VAULT_LOAD).startSpan();
    }

    /** A re-read of one registration, after Entra ID rejected its credential or an edit. */
    public Span vaultReread(String registrationId) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(VAULT_REREAD).setAttribute(REGISTRATION, registrationId).startSpan();
    }

    /** One request to Vault: {@code operation} as the metrics name it ({@code read}, {@code list}, ...). */
    public Span vaultRequest(String operation, String path) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder("Vault " + operation).setSpanKind(SpanKind.CLIENT)
                .setAttribute(VAULT_OPERATION, operation)
                .setAttribute(VAULT_PATH, path)
                .startSpan();
    }

    /** A call ended as {@code outcome}; {@code failed} marks the span an error, with the outcome as its only words. */
    public void ended(Span span, String outcome, boolean failed) {
        if (span.getSpanContext().isValid()) {
            span.setAttribute(OUTCOME, outcome);
            if (failed) {
                span.setStatus(StatusCode.ERROR, outcome);
            }
            span.end();
        }
    }

    /** A call to Entra ID refused with an AADSTS code: the code is what an operator looks up. */
    public void aadsts(Span span, int code) {
        if (span.getSpanContext().isValid()) {
            span.setAttribute(AADSTS, (long) code);
        }
    }

    /** Ends a span that only groups others. */
    public void end(Span span) {
        if (span.getSpanContext().isValid()) {
            span.end();
        }
    }
}
