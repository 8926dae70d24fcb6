package io.exobroker.caller;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** A caller over its token bucket (60 per minute, burst 3, from its record) is told to wait; others are not. */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class RateLimitTest {

    @Test
    void answersRateLimitedWithRetryAfterOnceTheBurstIsSpent() throws Exception {
        for (int i = 0; i < 3; i++) {
            token(Fixtures.LIMITED_KEY).then().statusCode(200);
        }

        Response limited = token(Fixtures.LIMITED_KEY);

        limited.then().statusCode(429).contentType("application/problem+json")
                .body("code", equalTo("rate_limited")).header("Retry-After", equalTo("1"));
        // Other callers keep their own bucket.
        token(Fixtures.RUNTIME_KEY).then().statusCode(200);
        // The bucket refills at one request per second.
        Thread.sleep(1100);
        token(Fixtures.LIMITED_KEY).then().statusCode(200);
    }

    @Test
    void answersTheOAuth2SurfaceInItsOwnFormat() {
        Response last = null;
        for (int i = 0; i < 5; i++) {
            last = given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                    .formParam("client_id", "limited-oauth2").formParam("client_secret", Fixtures.LIMITED_OAUTH2_KEY)
                    .post("/v1/registrations/" + App.SECRET.id + "/oauth2/token");
        }

        assertThat(last).isNotNull();
        last.then().statusCode(429).body("error", equalTo("temporarily_unavailable")).header("Retry-After", notNullValue());
    }

    private static Response token(String key) {
        return given().header("X-Api-Key", key).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token");
    }
}
