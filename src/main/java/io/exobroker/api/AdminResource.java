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
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** {@code /v1/admin/registrations}: the security team's API. Admin callers only (checked in {@link ApiFilters}). */
@Path(Surface.ADMIN_PATH)
@Tag(name = "Admin", description = "Registrations: metadata, create/update, delete, check, certificate, flush (admin callers only)")
@SecurityRequirement(name = "apiKey")
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final RegistrationAdmin admin;
    private final RequestRecord record;
    private final AuditLog audit;

    public AdminResource(RegistrationAdmin admin, RequestRecord record, AuditLog audit) {
        this.admin = admin;
        this.record = record;
        this.audit = audit;
    }

    @GET
    @Operation(operationId = "listRegistrations", summary = "List registrations (metadata only)")
    public List<AdminViews.RegistrationView> list() {
        return admin.list();
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getRegistration", summary = "A registration's metadata: credential type, certificate thumbprint and expiry, last mint")
    public AdminViews.RegistrationView get(@PathParam("id") String id) {
        return admin.get(id);
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "putRegistration", summary = "Create or update a registration",
            description = "The body holds record fields. client_secret, certificate_pfx and certificate_password are "
                    + "write-only: never returned, and kept when an update leaves them out. null removes a field.")
    public AdminViews.RegistrationView put(@PathParam("id") String id, Map<String, Object> fields) {
        AdminViews.RegistrationView view = admin.put(id, fields);
        audited("put", id);
        return view;
    }

    @DELETE
    @Path("{id}")
    @Operation(operationId = "deleteRegistration", summary = "Delete a registration; it stops being served at once")
    public Response delete(@PathParam("id") String id) {
        admin.delete(id);
        audited("delete", id);
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/check")
    @Operation(operationId = "checkRegistration", summary = "Mint a fresh token and diagnose consent and mail permissions")
    public CompletionStage<AdminViews.CheckResult> check(@PathParam("id") String id, Map<String, String> body) {
        audited("check", id);
        return admin.check(id, body == null ? null : body.get("resource"));
    }

    @POST
    @Path("{id}/certificate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "generateCertificate", summary = "Generate a self-signed certificate; returns only the public certificate for the Azure portal")
    public AdminViews.CertificateResult certificate(@PathParam("id") String id, AdminViews.CertificateRequest request) {
        AdminViews.CertificateRequest body = request == null ? new AdminViews.CertificateRequest(null, null, null) : request;
        AdminViews.CertificateResult result = admin.certificate(id, body.commonName(), body.validityDays(), body.activate());
        audited("certificate", id);
        return result;
    }

    @POST
    @Path("{id}/flush")
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
