package io.exobroker.api;

import io.exobroker.admin.AdminViews;
import io.exobroker.admin.RegistrationAdmin;
import io.exobroker.audit.AuditLog;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** {@code /v1/admin/registrations}: the security team's API. Admin callers only (checked in {@link ApiFilters}). */
@APIResponse(responseCode = "401", description = "Missing or invalid caller credential (API key or Kubernetes service-account token)", content = @Content(mediaType = Problem.MEDIA_TYPE,
        schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unauthenticated",
        value = ProblemExamples.UNAUTHENTICATED)))
@APIResponse(responseCode = "403", description = "Not an admin caller", content = @Content(mediaType = Problem.MEDIA_TYPE,
        schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "forbidden",
        value = ProblemExamples.NOT_ADMIN)))
@Path(Surface.ADMIN_PATH)
@Tag(name = "Admin", description = "Registrations: metadata, create/update, delete, check, certificate, flush (admin callers only)")
@SecurityRequirement(name = "apiKey")
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    /** What the broker answers for one registration; the list, get and update operations all show it. */
    private static final String REGISTRATION_EXAMPLE = "{\"id\":\"contoso-mail\",\"tenant_id\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"client_id\":\"0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b\",\"cloud\":\"public\",\"credential_type\":\"certificate\",\"credential_version\":3,\"certificate\":{\"thumbprint\":\"3F2A9C0B1D4E5F60718293A4B5C6D7E8F9012345\",\"subject\":\"CN=Contoso mail broker\",\"not_after\":\"2027-11-24T12:00:00Z\"},\"allowed_resources\":[\"graph\",\"outlook\"],\"last_mint\":{\"at\":\"2026-11-24T12:00:00Z\",\"outcome\":\"success\",\"roles\":[\"Mail.Send\",\"Mail.Read\"]}}";

    private final RegistrationAdmin admin;
    private final RequestRecord record;
    private final AuditLog audit;

    public AdminResource(RegistrationAdmin admin, RequestRecord record, AuditLog audit) {
        this.admin = admin;
        this.record = record;
        this.audit = audit;
    }

    @GET
    @APIResponse(responseCode = "200", description = "Registrations, metadata only", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY, implementation = AdminViews.RegistrationView.class), examples = @ExampleObject(name = "ok", value = "[" + REGISTRATION_EXAMPLE + "]")))
    @Operation(operationId = "listRegistrations", summary = "List registrations (metadata only)")
    public List<AdminViews.RegistrationView> list() {
        return admin.list();
    }

    @GET
    @Path("{id}")
    @APIResponse(responseCode = "200", description = "The registration's metadata", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.RegistrationView.class), examples = @ExampleObject(name = "ok", value = REGISTRATION_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = ProblemExamples.UNKNOWN_REGISTRATION)))
    @Operation(operationId = "getRegistration", summary = "A registration's metadata: credential type, certificate thumbprint and expiry, last mint")
    public AdminViews.RegistrationView get(@PathParam("id") String id) {
        return admin.get(id);
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The registration as stored, metadata only", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.RegistrationView.class), examples = @ExampleObject(name = "ok", value = REGISTRATION_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Invalid record or request", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "bad_request", value = ProblemExamples.INVALID_FIELD)))
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = {@ExampleObject(name = "create", value = "{\"tenant_id\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"client_id\":\"0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b\",\"credential_type\":\"client_secret\",\"client_secret\":\"<the secret's Value>\",\"client_secret_expires_at\":\"2027-06-30\",\"allowed_resources\":\"graph,outlook\"}"), @ExampleObject(name = "update", value = "{\"allowed_resources\":\"graph\"}")}))
    @Operation(operationId = "putRegistration", summary = "Create or update a registration",
            description = "The body holds record fields. client_secret, certificate_pfx and certificate_password are "
                    + "write-only: never returned, and kept when an update leaves them out, unless the update changes "
                    + "tenant_id, client_id, cloud or authority_host, which needs the credential again. authority_host "
                    + "must be a cloud's sign-in host or one the operator declared; certificate_pfx_path is refused. "
                    + "null removes a field.")
    public AdminViews.RegistrationView put(@PathParam("id") String id, Map<String, Object> fields) {
        AdminViews.RegistrationView view = admin.put(id, fields);
        audited("put", id);
        return view;
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = ProblemExamples.UNKNOWN_REGISTRATION)))
    @Operation(operationId = "deleteRegistration", summary = "Delete a registration; it stops being served at once")
    public Response delete(@PathParam("id") String id) {
        admin.delete(id);
        audited("delete", id);
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/check")
    @APIResponse(responseCode = "200", description = "What a fresh token shows", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.CheckResult.class), examples = @ExampleObject(name = "ok", value = "{\"registration\":\"contoso-mail\",\"outcome\":\"ok\",\"resource\":\"graph\",\"roles\":[\"Mail.Send\"],\"permissions\":[{\"name\":\"Mail.Send\",\"granted\":true,\"allows\":\"send mail as any user (add Mail.ReadWrite too to send attachments)\"},{\"name\":\"Mail.Read\",\"granted\":false,\"allows\":\"read mail and download attachments in all mailboxes\"}],\"diagnosis\":[\"Mail.Read is not granted: the app cannot read mail and download attachments in all mailboxes\"]}")))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = ProblemExamples.UNKNOWN_REGISTRATION)))
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "graph", value = "{\"resource\":\"graph\"}")))
    @Operation(operationId = "checkRegistration", summary = "Mint a fresh token and diagnose consent and mail permissions")
    public CompletionStage<AdminViews.CheckResult> check(@PathParam("id") String id, Map<String, String> body) {
        audited("check", id);
        return admin.check(id, body == null ? null : body.get("resource"));
    }

    @POST
    @Path("{id}/certificate")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The public certificate for the Azure portal", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.CertificateResult.class), examples = @ExampleObject(name = "ok", value = "{\"registration\":\"contoso-mail\",\"thumbprint\":\"3F2A9C0B1D4E5F60718293A4B5C6D7E8F9012345\",\"subject\":\"CN=Contoso mail broker\",\"not_after\":\"2027-11-24T12:00:00Z\",\"activated\":false,\"certificate_pem\":\"-----BEGIN CERTIFICATE-----\\nMIID...\\n-----END CERTIFICATE-----\\n\",\"certificate_der_base64\":\"MIID...\"}")))
    @APIResponse(responseCode = "400", description = "Invalid record or request", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "bad_request", value = ProblemExamples.INVALID_FIELD)))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = ProblemExamples.UNKNOWN_REGISTRATION)))
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "generate", value = "{\"common_name\":\"Contoso mail broker\",\"validity_days\":365,\"activate\":false}")))
    @Operation(operationId = "generateCertificate", summary = "Generate a self-signed certificate; returns only the public certificate for the Azure portal")
    public AdminViews.CertificateResult certificate(@PathParam("id") String id, AdminViews.CertificateRequest request) {
        AdminViews.CertificateRequest body = request == null ? new AdminViews.CertificateRequest(null, null, null) : request;
        AdminViews.CertificateResult result = admin.certificate(id, body.commonName(), body.validityDays(), body.activate());
        audited("certificate", id);
        return result;
    }

    @POST
    @Path("{id}/flush")
    @APIResponse(responseCode = "200", description = "Tokens dropped", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AdminViews.FlushResult.class), examples = @ExampleObject(name = "ok", value = "{\"registration\":\"contoso-mail\",\"tokens_dropped\":2}")))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration", value = ProblemExamples.UNKNOWN_REGISTRATION)))
    @Operation(operationId = "flushRegistration", summary = "Drop the registration's cached tokens")
    public AdminViews.FlushResult flush(@PathParam("id") String id) {
        AdminViews.FlushResult result = new AdminViews.FlushResult(id, admin.flush(id));
        audited("flush", id);
        return result;
    }

    private void audited(String action, String id) {
        audit.adminAction(record.callerId(), action, id);
    }
}
