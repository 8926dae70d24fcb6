package io.exobroker.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.ResourceScopes;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/xoauth2}: the base64 SASL XOAUTH2 initial response for IMAP, POP and SMTP
 * ({@code user=<mailbox>^Aauth=Bearer <token>^A^A}), minted for Exchange Online ({@code outlook}).
 */
@Path(Surface.XOAUTH2_PATH)
@Tag(name = "Tokens")
public class XOAuth2Resource {

    /** A mailbox address: no spaces or control characters (a ^A would forge SASL fields). */
    private static final Pattern MAILBOX = Pattern.compile("[^\\s\\p{Cntrl}@]{1,64}@[^\\s\\p{Cntrl}@]{1,255}");

    private final TokenIssuer issuer;
    private final RequestRecord record;

    public XOAuth2Resource(TokenIssuer issuer, RequestRecord record) {
        this.issuer = issuer;
        this.record = record;
    }

    @Schema(name = "XOAuth2Request")
    public record XOAuth2Request(
            @Schema(required = true, examples = "contoso-mail") @JsonProperty("registration") String registration,
            @Schema(required = true, description = "The mailbox to sign in to", examples = "shared-inbox@contoso.com")
            @JsonProperty("user") String user,
            @Schema(examples = "300") @JsonProperty("min_validity_seconds") Long minValiditySeconds) {
    }

    @Schema(name = "XOAuth2Response")
    public record XOAuth2Response(
            @Schema(description = "Base64 SASL XOAUTH2 initial response", examples = "dXNlcj1zaGFyZWQtaW5ib3hAY29udG9zby5jb20BYXV0aD1CZWFyZXIgZXlKMGVYLi4uAQE=")
            @JsonProperty("xoauth2") String xoauth2,
            @Schema(examples = "shared-inbox@contoso.com") @JsonProperty("user") String user,
            @Schema(examples = "contoso-mail") @JsonProperty("registration") String registration,
            @Schema(examples = "3240") @JsonProperty("expires_in") long expiresIn,
            @Schema(examples = "1795000000") @JsonProperty("expires_on") long expiresOn) {

        @Override
        public String toString() {
            return "XOAuth2Response[user=" + user + ", registration=" + registration + "]";
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = "apiKey")
    @SecurityRequirement(name = "bearer")
    @Operation(operationId = "getXoauth2", summary = "Get a SASL XOAUTH2 string for IMAP/POP/SMTP",
            description = "Mints (or reuses) an Exchange Online token and encodes it with the mailbox for AUTHENTICATE XOAUTH2 / AUTH XOAUTH2.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = XOAuth2Request.class), examples = @ExampleObject(name = "imap",
            value = OpenApiExamples.XOAUTH2_REQUEST)))
    @APIResponse(responseCode = "200", description = "The XOAUTH2 string", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = XOAuth2Response.class), examples = @ExampleObject(name = "xoauth2",
            value = OpenApiExamples.XOAUTH2_RESPONSE)))
    @APIResponse(responseCode = "400", description = "Invalid request", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "bad_request",
            value = OpenApiExamples.MAILBOX_REQUIRED)))
    public CompletionStage<XOAuth2Response> xoauth2(XOAuth2Request request) {
        if (request == null) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "a JSON body is required");
        }
        if (request.user() == null || !MAILBOX.matcher(request.user()).matches()) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'user' must be a mailbox address");
        }
        return issuer.issue(record.caller(), request.registration(), ResourceScopes.OUTLOOK,
                        issuer.minValidity(request.minValiditySeconds()), record)
                .thenApply(issued -> {
                    String sasl = "user=" + request.user() + "\u0001auth=Bearer " + issued.token().value() + "\u0001\u0001";
                    return new XOAuth2Response(Base64.getEncoder().encodeToString(sasl.getBytes(StandardCharsets.UTF_8)),
                            request.user(), issued.registration().id(), issued.expiresIn(),
                            issued.token().expiresOn().getEpochSecond());
                });
    }
}
