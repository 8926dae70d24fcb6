package io.exobroker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.exobroker.authentication.ApiKeyAuthenticator;
import io.exobroker.caller.Caller;
import io.exobroker.config.ApiConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.store.RegistrationStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code POST /v1/token} as nearly every caller sends it, a JSON body with its Content-Length, served on the Vert.x
 * router without Quarkus REST. Quarkus REST's request chain, its filters and its Jackson reader and writer cost more
 * per request than everything the broker does for a cached token (BENCHMARKS.md: a REST no-op endpoint served 0.58×
 * of what a bare Vert.x route serves), and this is the request a runtime sends for every mail it sends or reads.
 *
 * <p>Nothing is decided here: the caller is authenticated by {@link CallerAuthentication}, the token comes from
 * {@link TokenIssuer}, refusals are those of {@link ProblemMapper}, the audit line and metric are
 * {@link TokenRequestTrail}'s, as for {@link TokenResource}. A request this route does not take as it comes, from its
 * headers alone and before a byte of its body is read, goes on to {@link TokenResource}, which answers every request
 * and spelling: another content type, a chunked body, a body over the limit, an {@code Accept} this answer might not
 * satisfy, {@code Expect: 100-continue}. {@code TokenRouteTest} sends each kind of request both ways and requires the
 * same answer and the same audit line.
 *
 * <p>The router matches its normalised path, so {@code /v1/admin/../token} is served here as the token API, as
 * Quarkus REST routes it; spellings the router does not normalise reach {@link TokenResource}.
 */
@Singleton
class TokenRoute {

    /** What this route answers in: the media type Quarkus REST writes for the same JSON answer. */
    static final String JSON_TYPE = "application/json;charset=UTF-8";
    // Header names and fixed values as ASCII bytes made once: Vert.x copies these into the answer as they are, where
    // a String is encoded character by character on every request.
    private static final CharSequence JSON_TYPE_VALUE = HttpHeaders.createOptimized(JSON_TYPE);
    private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
    private static final CharSequence PRAGMA = HttpHeaders.createOptimized("Pragma");
    private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
    private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized(RequestId.HEADER);

    private final CallerAuthentication authentication;
    private final TokenIssuer issuer;
    private final RegistrationStore store;
    private final ApiKeyAuthenticator apiKeys;
    private final TokenRequestTrail trail;
    private final RequestId requestIds;
    private final ObjectReader requests;
    private final ObjectWriter problems;
    private final int maxBodyBytes;
    /** Requests answered here rather than passed on, for tests that must know which way a request went. */
    private final LongAdder served = new LongAdder();

    TokenRoute(CallerAuthentication authentication, TokenIssuer issuer, RegistrationStore store,
               ApiKeyAuthenticator apiKeys, TokenRequestTrail trail, RequestId requestIds, ObjectMapper json,
               ApiConfig config) {
        // Singletons, not client proxies: a call through a proxy looks its bean up in its context first, on every
        // request (JFR: a twentieth of this route's CPU).
        this.authentication = authentication;
        this.issuer = issuer;
        this.store = store;
        this.apiKeys = apiKeys;
        this.trail = trail;
        this.requestIds = requestIds;
        this.requests = json.readerFor(TokenRequest.class);
        this.problems = json.writerFor(Problem.class);
        this.maxBodyBytes = config.maxBodyBytes();
    }

    void route(@Observes Router router) {
        router.post(Surface.TOKEN_PATH).handler(this::serve);
    }

    long served() {
        return served.sum();
    }

    private void serve(RoutingContext context) {
        HttpServerRequest request = context.request();
        int length = takenLength(request);
        if (length < 0) {
            context.next();
            return;
        }
        served.increment();
        Exchange exchange = new Exchange(context, new RequestRecord(apiKeys), Vertx.currentContext());
        Buffer body = Buffer.buffer(length);
        request.handler(chunk -> {
            // The connection frames the body by its Content-Length; a peer that sends more gets no further.
            if (body.length() + chunk.length() <= length) {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(ended -> exchange.read(body));
        request.resume();
    }

    /**
     * The body length of a request this route takes as it comes, or -1 to pass it on: a JSON content type, a
     * Content-Length within {@code broker.api.max-body-bytes}, no transfer coding, no expectation, and an answer in
     * JSON acceptable.
     */
    int takenLength(HttpServerRequest request) {
        if (request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || request.getHeader(HttpHeaders.EXPECT) != null
                || !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))
                || !acceptsJson(request.getHeader(HttpHeaders.ACCEPT))) {
            return -1;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null || length.isEmpty() || length.length() > 9) {
            return -1;
        }
        int bytes = 0;
        for (int i = 0; i < length.length(); i++) {
            char digit = length.charAt(i);
            if (digit < '0' || digit > '9') {
                return -1;
            }
            bytes = bytes * 10 + (digit - '0');
        }
        return bytes <= maxBodyBytes ? bytes : -1;
    }

    /** {@code application/json}, with any parameters: Jackson reads the body's own encoding, as Quarkus REST has it do. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int end = contentType.indexOf(';');
        String type = (end < 0 ? contentType : contentType.substring(0, end)).trim();
        return type.equalsIgnoreCase("application/json");
    }

    /**
     * No {@code Accept}, or one naming JSON or any type plainly. A media range with parameters (a quality of zero,
     * say) is left to Quarkus REST's negotiation.
     */
    static boolean acceptsJson(String accept) {
        if (accept == null) {
            return true;
        }
        int start = 0;
        while (start <= accept.length()) {
            int end = accept.indexOf(',', start);
            if (end < 0) {
                end = accept.length();
            }
            String range = accept.substring(start, end).trim();
            if (range.indexOf(';') < 0 && (range.equals("*/*") || range.equalsIgnoreCase("application/*")
                    || range.equalsIgnoreCase("application/json"))) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    /** One request taken here, from its body to its answer. */
    private final class Exchange {

        private final RoutingContext context;
        private final RequestRecord record;
        /** The request's own Vert.x context, where a request resumed after Kubernetes answered goes on. */
        private final Context requestContext;

        Exchange(RoutingContext context, RequestRecord record, Context requestContext) {
            this.context = context;
            this.record = record;
            this.requestContext = requestContext;
            record.surface(Surface.TOKEN_API);
        }

        /** Authenticates the caller, then reads the request: unauthenticated callers learn nothing from validation. */
        void read(Buffer body) {
            try {
                if (!store.isLoaded()) {
                    throw new BrokerException(ErrorCode.STORE_UNAVAILABLE,
                            "the credential store has not been loaded yet; see the broker's log");
                }
                HttpServerRequest request = context.request();
                CallerCredential credential = new CallerCredential.Headers(request.getHeader(HttpHeaders.AUTHORIZATION),
                        request.getHeader(CallerCredential.Headers.API_KEY_HEADER));
                Caller caller = authentication.now(credential, record, false);
                if (caller != null) {
                    issue(caller, body);
                    return;
                }
                authentication.later(credential, record, false).whenComplete((admitted, failure) ->
                        requestContext.runOnContext(resumed -> {
                            if (failure != null) {
                                refuse(failure);
                            } else {
                                issue(admitted, body);
                            }
                        }));
            } catch (RuntimeException failure) {
                refuse(failure);
            }
        }

        private void issue(Caller caller, Buffer body) {
            try {
                TokenRequest token = parse(body);
                issuer.issue(caller, token.registration(), token.resource(),
                                issuer.minValidity(token.minValiditySeconds()), record)
                        .whenComplete((issued, failure) -> {
                            if (failure != null) {
                                refuse(failure);
                            } else {
                                answer(issued);
                            }
                        });
            } catch (RuntimeException failure) {
                refuse(failure);
            }
        }

        /**
         * The request as Quarkus REST reads it: an empty body or a JSON null is no request. The plain body nearly every
         * caller sends is read by {@link TokenRequestReader}, to the same record; anything else, and every refusal, is
         * Jackson's.
         */
        private TokenRequest parse(Buffer body) {
            TokenRequest token = null;
            if (body.length() > 0) {
                byte[] bytes = body.getBytes();
                token = TokenRequestReader.read(bytes);
                if (token == null) {
                    try {
                        token = requests.readValue(bytes);
                    } catch (IOException unreadable) {
                        throw ProblemMapper.refusalOfAny(unreadable);
                    }
                }
            }
            if (token == null) {
                throw new BrokerException(ErrorCode.BAD_REQUEST, "a JSON body is required");
            }
            return token;
        }

        private void answer(TokenIssuer.Issued issued) {
            Buffer bytes;
            try {
                bytes = RecentAnswers.of(issued);
            } catch (RuntimeException failed) {
                refuse(failed);
                return;
            }
            end(200, JSON_TYPE_VALUE, bytes, null);
        }

        private void refuse(Throwable failure) {
            Problem problem = Problem.of(ProblemMapper.refusalOfAny(failure));
            byte[] bytes;
            try {
                bytes = problems.writeValueAsBytes(problem);
            } catch (JsonProcessingException unwritable) {
                throw new IllegalStateException("a problem could not be written as JSON", unwritable);
            }
            end(problem.status(), Problem.MEDIA_TYPE, Buffer.buffer(bytes), problem);
        }

        private void end(int status, CharSequence type, Buffer bytes, Problem problem) {
            HttpServerRequest request = context.request();
            HttpServerResponse response = context.response();
            String requestId = requestIds.next();
            response.setStatusCode(status)
                    .putHeader(HttpHeaders.CONTENT_TYPE, type)
                    .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
                    .putHeader(PRAGMA, NO_CACHE)
                    .putHeader(REQUEST_ID, requestId);
            if (problem != null) {
                problem.headers(response::putHeader);
            }
            SocketAddress client = request.remoteAddress();
            trail.record(Surface.TOKEN_API, record, requestId, request.getHeader(RequestId.HEADER),
                    client == null ? null : client.hostAddress(), status, problem);
            response.end(bytes);
        }
    }
}
