package io.exobroker.testing.leaks;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Every response REST Assured receives in the test JVM (status, headers and body), for the leak checks. */
public final class RecordedResponses implements Filter {

    /** One response as the client saw it. */
    public record Recorded(String request, int status, String headers, String body) {
    }

    private static final RecordedResponses INSTANCE = new RecordedResponses();
    private static volatile boolean installed;
    private final ConcurrentLinkedQueue<Recorded> responses = new ConcurrentLinkedQueue<>();

    public static RecordedResponses install() {
        if (!installed) {
            synchronized (RecordedResponses.class) {
                if (!installed) {
                    RestAssured.filters(INSTANCE);
                    installed = true;
                }
            }
        }
        return INSTANCE;
    }

    /** Adds a response obtained without REST Assured (e.g. the JDK HTTP client in concurrency tests). */
    public static void add(String request, int status, String headers, String body) {
        INSTANCE.responses.add(new Recorded(request, status, headers, body));
    }

    public List<Recorded> all() {
        return new ArrayList<>(responses);
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
                           FilterContext context) {
        Response response = context.next(request, responseSpec);
        responses.add(new Recorded(request.getMethod() + " " + request.getURI(), response.statusCode(),
                response.headers().toString(), response.asString()));
        return response;
    }
}
