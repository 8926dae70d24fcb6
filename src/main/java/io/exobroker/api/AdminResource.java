package io.exobroker.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.admin.AdminViews;
import io.exobroker.admin.RegistrationAdmin;
import io.exobroker.caller.Caller;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * {@code /v1/admin/registrations}: the security team's API. Admin callers only: {@link ApiFilters} refuses anyone else
 * before a request gets here, and every operation checks again itself, so a request that reached it by a route the
 * filters did not see as admin would still be refused. {@link ApiFilters} writes the audit line of every request.
 */
@APIResponse(responseCode = "401", description = "Missing or invalid caller credential (API key or Kubernetes service-account token)", content = @Content(mediaType = Problem.MEDIA_TYPE,
        schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unauthenticated",
        value = OpenApiExamples.UNAUTHENTICATED)))
@APIResponse(responseCode = "403", description = "Not an admin caller", content = @Content(mediaType = Problem.MEDIA_TYPE,
        schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "forbidden",
        value = OpenApiExamples.NOT_ADMIN)))
@Path(Surface.ADMIN_PATH)
@Tag(name = "Admin", description = "Registrations: metadata, create/update, delete, check, certificate, rotate, flush (admin callers only)")
@SecurityRequirement(name = "apiKey")
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final RegistrationAdmin admin;
    private final RequestRecord record;
    private final ObjectMapper json;

    public AdminResource(RegistrationAdmin admin, RequestRecord record, ObjectMapper json) {
        this.admin = admin;
        this.record = record;
        this.json = json;
    }

    @GET
    @APIResponse(responseCode = "200", description = "Registrations, metadata only", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = AdminViews.RegistrationView.class), examples = @ExampleObject(name = "ok", value = OpenApiExamples.REGISTRATIONS)))
    @Operation(operationId = "listRegistrations", summary = "List registrations (metadata only)")
    public List<AdminViews.RegistrationView> list() {
        requireAdmin();
        return admin.list();
    }

    @GET
    @Path("{id}")
    @APIResponse(responseCode = "200", description = "The registration's metadata", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.RegistrationView.class), examples = @ExampleObject(name = "ok", value = OpenApiExamples.REGISTRATION)))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = OpenApiExamples.UNKNOWN_REGISTRATION)))
    @Operation(operationId = "getRegistration", summary = "A registration's metadata: credential type, certificate thumbprint and expiry, last mint")
    public AdminViews.RegistrationView get(@PathParam("id") String id) {
        requireAdmin();
        return admin.get(id);
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The registration as stored, metadata only", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.RegistrationView.class), examples = @ExampleObject(name = "ok", value = OpenApiExamples.REGISTRATION)))
    @APIResponse(responseCode = "400", description = "Invalid record or request", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "bad_request", value = OpenApiExamples.INVALID_FIELD)))
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = {@ExampleObject(name = "create", value = OpenApiExamples.REGISTRATION_CREATE), @ExampleObject(name = "update", value = OpenApiExamples.REGISTRATION_UPDATE), @ExampleObject(name = "federated", value = OpenApiExamples.REGISTRATION_CREATE_FEDERATED)}))
    @Operation(operationId = "putRegistration", summary = "Create or update a registration",
            description = "The body holds record fields. client_secret, certificate_pfx and certificate_password are "
                    + "write-only: never returned, and kept when an update leaves them out, unless the update changes "
                    + "tenant_id, client_id, cloud or authority_host, which needs the credential again. authority_host "
                    + "must be a cloud's sign-in host or one the operator declared; certificate_pfx_path is refused. "
                    + "credential_type federated holds no secret: assertion_source kubernetes, managed_identity (with "
                    + "managed_identity_client_id for a user-assigned identity) or file (with assertion_file inside "
                    + "broker.federation.assertion-directories); switching between types keeps the rotation grace. "
                    + "null removes a field.")
    public AdminViews.RegistrationView put(@PathParam("id") String id, Map<String, Object> fields) {
        requireAdmin();
        return admin.put(id, fields);
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = OpenApiExamples.UNKNOWN_REGISTRATION)))
    @Operation(operationId = "deleteRegistration", summary = "Delete a registration; it stops being served at once")
    public Response delete(@PathParam("id") String id) {
        requireAdmin();
        admin.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/check")
    @APIResponse(responseCode = "200", description = "What a fresh token shows", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.CheckResult.class), examples = {@ExampleObject(name = "ok", value = OpenApiExamples.CHECK_RESULT), @ExampleObject(name = "exchange_rbac_probe", value = OpenApiExamples.CHECK_RESULT_EXCHANGE_RBAC), @ExampleObject(name = "federated_no_match", value = OpenApiExamples.CHECK_RESULT_FEDERATED)}))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = OpenApiExamples.UNKNOWN_REGISTRATION)))
    @APIResponse(responseCode = "415", description = "A body that is not JSON", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unsupported_media_type", value = OpenApiExamples.CHECK_NOT_JSON)))
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.CheckRequest.class), examples = {@ExampleObject(name = "graph", value = OpenApiExamples.CHECK_REQUEST), @ExampleObject(name = "mailbox_probe", value = OpenApiExamples.CHECK_REQUEST_MAILBOX)}))
    @Operation(operationId = "checkRegistration", summary = "Mint a fresh token and diagnose consent and mail permissions",
            description = "The body is optional (no body, or an empty one with any Content-Type, checks graph), so "
                    + "curl -X POST with just the admin key works. The diagnosis follows the registration's "
                    + "mailbox_access (entra_consent or exchange_rbac); a federated registration's answer shows the "
                    + "issuer, subject and audience it presented. With a mailbox, the fresh Graph token reads one "
                    + "message id from it (in_scope, out_of_scope, no_mailbox): read access only, since Mail.Send "
                    + "cannot be probed without sending.")
    public CompletionStage<AdminViews.CheckResult> check(@PathParam("id") String id,
                                                        @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                                        byte[] body) throws IOException {
        requireAdmin();
        AdminViews.CheckRequest request = checkRequest(contentType, body);
        return admin.check(id, request.resource(), request.mailbox());
    }

    @POST
    @Path("{id}/certificate")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The public certificate for the Azure portal", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.CertificateResult.class), examples = @ExampleObject(name = "ok", value = OpenApiExamples.CERTIFICATE_RESULT)))
    @APIResponse(responseCode = "400", description = "Invalid record or request", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "bad_request", value = OpenApiExamples.INVALID_FIELD)))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = OpenApiExamples.UNKNOWN_REGISTRATION)))
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "generate", value = OpenApiExamples.CERTIFICATE_REQUEST)))
    @Operation(operationId = "generateCertificate", summary = "Generate a self-signed certificate; returns only the public certificate for the Azure portal")
    public AdminViews.CertificateResult certificate(@PathParam("id") String id, AdminViews.CertificateRequest request) {
        requireAdmin();
        AdminViews.CertificateRequest body = request == null ? new AdminViews.CertificateRequest(null, null, null) : request;
        return admin.certificate(id, body.commonName(), body.validityDays(), body.activate());
    }

    @POST
    @Path("{id}/rotate")
    @APIResponse(responseCode = "200", description = "The registration with its rotation under way (its steps continue in the background)", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.RegistrationView.class), examples = @ExampleObject(name = "ok", value = OpenApiExamples.REGISTRATION)))
    @APIResponse(responseCode = "400", description = "The registration cannot rotate: no certificate, no application_object_id, or the last rotation's old key not removed yet", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "bad_request", value = OpenApiExamples.INVALID_FIELD)))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = OpenApiExamples.UNKNOWN_REGISTRATION)))
    @Operation(operationId = "rotateCertificate", summary = "Start a certificate rotation through Microsoft Graph now",
            description = "Generates the next certificate, adds it to the app with Graph's addKey (proof signed by "
                    + "the active certificate), activates it once Entra ID accepts it and removes the old key after "
                    + "broker.rotation.retire-after. A rotation already under way continues; the body is ignored.")
    public AdminViews.RegistrationView rotate(@PathParam("id") String id) {
        requireAdmin();
        return admin.rotate(id);
    }

    @POST
    @Path("{id}/flush")
    @APIResponse(responseCode = "200", description = "Tokens dropped", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.FlushResult.class), examples = @ExampleObject(name = "ok", value = OpenApiExamples.FLUSH_RESULT)))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = OpenApiExamples.UNKNOWN_REGISTRATION)))
    @Operation(operationId = "flushRegistration", summary = "Drop the registration's cached tokens")
    public AdminViews.FlushResult flush(@PathParam("id") String id) {
        requireAdmin();
        return new AdminViews.FlushResult(id, admin.flush(id));
    }

    /** Defence in depth: the filters already refused anyone but an admin caller; this refuses them again. */
    private void requireAdmin() {
        Caller caller = record.caller();
        if (caller == null) {
            throw new BrokerException(ErrorCode.UNAUTHENTICATED, "the admin API needs an admin caller's credential");
        }
        if (!caller.admin()) {
            throw new BrokerException(ErrorCode.FORBIDDEN, "caller '" + caller.id() + "' is not an admin caller");
        }
    }

    /**
     * A check's options. People type {@code curl -X POST} (no Content-Type, no body) or {@code curl -d ''} (an empty
     * form): a body with nothing in it means the defaults, whatever its type. A body with content must be JSON, and is
     * read as strictly as every other JSON body (unknown or repeated fields refused).
     */
    private AdminViews.CheckRequest checkRequest(String contentType, byte[] body) throws IOException {
        if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
            return AdminViews.CheckRequest.DEFAULTS;
        }
        if (!isJson(contentType)) {
            throw new BrokerException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "send the check's options as application/json, or send no body");
        }
        AdminViews.CheckRequest request = json.readValue(body, AdminViews.CheckRequest.class);
        return request == null ? AdminViews.CheckRequest.DEFAULTS : request;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.valueOf(contentType);
            return "application".equalsIgnoreCase(type.getType()) && "json".equalsIgnoreCase(type.getSubtype());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
