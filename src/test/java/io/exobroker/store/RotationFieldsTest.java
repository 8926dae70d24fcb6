package io.exobroker.store;

import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Rotation;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rotation fields of a registration record: the operator's settings and the state the broker writes. */
class RotationFieldsTest {

    private static final String OBJECT_ID = "3f2a9c0b-1d4e-4f60-8182-93a4b5c6d7e8";
    private static final String KEY_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private static final RecordParser.PfxFiles NO_FILES = path -> {
        throw new InvalidRecordException(StoreLayout.CERTIFICATE_PFX_PATH, "no files here");
    };

    @Test
    void aRecordWithoutRotationFieldsDoesNotRotate() throws Exception {
        Rotation rotation = parse(fields()).rotation();

        assertThat(rotation.enabled()).isFalse();
        assertThat(rotation.state()).isEqualTo(Rotation.State.IDLE);
        assertThat(rotation.settings().rotateBeforeDays()).isEqualTo(30);
        assertThat(rotation.settings().certificateValidityDays()).isEqualTo(180);
    }

    @Test
    void readsTheSettings() throws Exception {
        Map<String, Object> fields = fields();
        fields.put(StoreLayout.ROTATION, "Certificate");
        fields.put(StoreLayout.APPLICATION_OBJECT_ID, OBJECT_ID.toUpperCase());
        fields.put(StoreLayout.ROTATE_BEFORE_DAYS, "14");
        fields.put(StoreLayout.CERTIFICATE_VALIDITY_DAYS, 90);

        Rotation.Settings settings = parse(fields).rotation().settings();

        assertThat(settings.mode()).isEqualTo(Rotation.Mode.CERTIFICATE);
        assertThat(settings.applicationObjectId()).contains(OBJECT_ID);
        assertThat(settings.rotateBeforeDays()).isEqualTo(14);
        assertThat(settings.certificateValidityDays()).isEqualTo(90);
    }

    @Test
    void rotationNeedsTheObjectId() {
        Map<String, Object> fields = fields();
        fields.put(StoreLayout.ROTATION, "certificate");

        assertThatThrownBy(() -> parse(fields)).isInstanceOf(InvalidRecordException.class)
                .hasFieldOrPropertyWithValue("field", StoreLayout.APPLICATION_OBJECT_ID);
    }

    @Test
    void refusesAnObjectIdThatIsNoGuidAModeItDoesNotKnowAndAValidityInsideTheRotationWindow() {
        Map<String, Object> notGuid = fields();
        notGuid.put(StoreLayout.APPLICATION_OBJECT_ID, "contoso-mailer");
        Map<String, Object> mode = fields();
        mode.put(StoreLayout.ROTATION, "secret");
        Map<String, Object> window = fields();
        window.put(StoreLayout.ROTATION, "certificate");
        window.put(StoreLayout.APPLICATION_OBJECT_ID, OBJECT_ID);
        window.put(StoreLayout.CERTIFICATE_VALIDITY_DAYS, "30");
        Map<String, Object> days = fields();
        days.put(StoreLayout.ROTATE_BEFORE_DAYS, "0");

        assertThatThrownBy(() -> parse(notGuid)).hasFieldOrPropertyWithValue("field", StoreLayout.APPLICATION_OBJECT_ID);
        assertThatThrownBy(() -> parse(mode)).hasFieldOrPropertyWithValue("field", StoreLayout.ROTATION);
        assertThatThrownBy(() -> parse(window))
                .hasFieldOrPropertyWithValue("field", StoreLayout.CERTIFICATE_VALIDITY_DAYS);
        assertThatThrownBy(() -> parse(days)).hasFieldOrPropertyWithValue("field", StoreLayout.ROTATE_BEFORE_DAYS);
    }

    @Test
    void aHandEditedStateThatDoesNotHoldTogetherIsReportedNotActedOn() {
        Map<String, Object> pendingWithoutCertificate = fields();
        pendingWithoutCertificate.put(StoreLayout.ROTATION_STATE, "pending");
        Map<String, Object> retiringWithoutDate = fields();
        retiringWithoutDate.put(StoreLayout.ROTATION_RETIRING_KEY_ID, KEY_ID);
        retiringWithoutDate.put(StoreLayout.ROTATION_RETIRING_THUMBPRINT, "A".repeat(40));
        retiringWithoutDate.put(StoreLayout.ROTATION_RETIRING_NOT_AFTER, "2027-01-31T00:00:00Z");
        Map<String, Object> badKeyId = fields();
        badKeyId.put(StoreLayout.ROTATION_KEY_ID, "not-a-key-id");
        badKeyId.put(StoreLayout.ROTATION_KEY_THUMBPRINT, "A".repeat(40));
        badKeyId.put(StoreLayout.ROTATION_KEY_NOT_AFTER, "2027-01-31T00:00:00Z");

        assertThatThrownBy(() -> parse(pendingWithoutCertificate))
                .hasFieldOrPropertyWithValue("field", StoreLayout.ROTATION_STATE);
        assertThatThrownBy(() -> parse(retiringWithoutDate))
                .hasFieldOrPropertyWithValue("field", StoreLayout.ROTATION_RETIRE_AT);
        assertThatThrownBy(() -> parse(badKeyId)).hasFieldOrPropertyWithValue("field", StoreLayout.ROTATION_KEY_ID);
    }

    @Test
    void theBrokersFieldsAreNoUnknownFields() {
        Map<String, Object> fields = fields();
        fields.put(StoreLayout.ROTATION_STATE, "idle");
        fields.put(StoreLayout.ROTATION_LAST_STEP, "retired");
        fields.put("rotation_sate", "idle");

        assertThat(RecordParser.unknownRegistrationFields(fields)).containsExactly("rotation_sate");
    }

    private static Registration parse(Map<String, Object> fields) throws InvalidRecordException {
        return RecordParser.registration("contoso", fields, AuthorityHosts.cloudsOnly(), NO_FILES);
    }

    private static Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(StoreLayout.TENANT_ID, "72f988bf-86f1-41af-91ab-2d7cd011db47");
        fields.put(StoreLayout.CLIENT_ID, "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b");
        fields.put(StoreLayout.CREDENTIAL_TYPE, StoreLayout.CREDENTIAL_CLIENT_SECRET);
        fields.put(StoreLayout.CLIENT_SECRET, "the-client-secret");
        return fields;
    }
}
