package io.exobroker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.exobroker.concurrent.Futures;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.quarkus.logging.Log;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one place errors become responses: every failure is answered with a stable code, in the format of the surface
 * the request was routed to (see {@link ApiFilters#surfaceOf}). Messages of parsers and frameworks are never passed
 * through, since they can quote the request; only field names are named.
 */
public class ProblemMapper {

    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,40}");

    @ServerExceptionMapper
    public Response broker(BrokerException error, ContainerRequestContext request) {
        return Problem.respond(ApiFilters.surfaceOf(request), error);
    }

    @ServerExceptionMapper
    public Response completion(CompletionException error, ContainerRequestContext request) {
        Throwable cause = error.getCause();
        if (cause instanceof BrokerException broker) {
            return broker(broker, request);
        }
        return unexpected(cause == null ? error : cause, request);
    }

    /** A limit hit while a parser was reading (e.g. a chunked body over the size limit) surfaces wrapped. */
    private static BrokerException brokerCause(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof BrokerException broker) {
                return broker;
            }
        }
        return null;
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException error, ContainerRequestContext request) {
        return broker(refusalOf(error), request);
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException error, ContainerRequestContext request) {
        return broker(refusalOf(error), request);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException error, ContainerRequestContext request) {
        return broker(refusalOf(error), request);
    }

    /**
     * What a body Jackson could not read is answered with, wherever it was read: a size limit hit while reading, or a
     * bad request naming at most a field name, never the parser's message (it can quote the body).
     */
    static BrokerException refusalOf(JsonProcessingException error) {
        BrokerException limit = brokerCause(error);
        if (limit != null) {
            return limit;
        }
        if (error instanceof UnrecognizedPropertyException unknown) {
            return badRequest("unknown field " + fieldName(unknown.getPropertyName()));
        }
        if (error instanceof MismatchedInputException mismatched) {
            return badRequest(mismatched.getPath().isEmpty()
                    ? "the body must be a JSON object"
                    : "field " + path(mismatched) + " has the wrong type");
        }
        if (error instanceof InvalidDefinitionException) {
            return badRequest("the body is not a valid request");
        }
        String message = String.valueOf(error.getOriginalMessage());
        return badRequest(message.startsWith("Duplicate field")
                ? "a field is given more than once" : "the body is not valid JSON");
    }

    /** Jackson's answer to some malformed bodies (e.g. a field repeated after a record's creator ran). */
    @ServerExceptionMapper
    public Response invalidDefinition(InvalidDefinitionException error,
                                      ContainerRequestContext request) {
        return broker(refusalOf(error), request);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException error, ContainerRequestContext request) {
        BrokerException limit = brokerCause(error);
        if (limit != null) {
            return broker(limit, request);
        }
        if (error.getCause() instanceof JsonProcessingException json) {
            return broker(refusalOf(json), request);
        }
        int status = error.getResponse() == null ? 500 : error.getResponse().getStatus();
        ErrorCode code = switch (status) {
            case 400 -> ErrorCode.BAD_REQUEST;
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 406 -> ErrorCode.NOT_ACCEPTABLE;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            default -> null;
        };
        if (code == null) {
            return unexpected(error, request);
        }
        return Problem.respond(ApiFilters.surfaceOf(request), new BrokerException(code, code.title()));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable error, ContainerRequestContext request) {
        return broker(refusalOfAny(error), request);
    }

    /**
     * What any failure of a request is answered with, for a surface served outside Quarkus REST (see {@link
     * TokenRoute}): the broker's own refusal, a body Jackson could not read, or an unexpected failure, logged with its
     * stack trace and answered without its message.
     */
    static BrokerException refusalOfAny(Throwable failure) {
        Throwable error = Futures.unwrap(failure);
        if (error instanceof JsonProcessingException json) {
            return refusalOf(json);
        }
        BrokerException limit = brokerCause(error);
        if (limit != null) {
            return limit;
        }
        Log.errorf(error, "unexpected error answering a request: %s", error.getClass().getName());
        return new BrokerException(ErrorCode.INTERNAL, "the broker failed unexpectedly; see its log");
    }

    private static BrokerException badRequest(String detail) {
        return new BrokerException(ErrorCode.BAD_REQUEST, detail);
    }

    private static String path(JsonMappingException error) {
        return error.getPath().stream()
                .map(reference -> reference.getFieldName() != null ? fieldName(reference.getFieldName())
                        : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String fieldName(String name) {
        return name != null && FIELD_NAME.matcher(name).matches() ? "'" + name + "'" : "(unprintable name)";
    }
}
