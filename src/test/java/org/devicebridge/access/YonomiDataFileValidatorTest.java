package org.devicebridge.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.intake.InvalidActionException;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Pre-flight of the Yonomi data file: each problem names the record and the field. */
class YonomiDataFileValidatorTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final YonomiDataFileValidator validator = new YonomiDataFileValidator();

    @Test
    void padsAndUpperCasesTheCredentialCodeAndKeepsEverythingElse() {
        JsonNode result = validator.validateAndNormalize(file(c -> c.put("credential", "c0ffee").put("facilityCode", 12)));

        assertThat(result.at("/credentials/0/credential").asText()).isEqualTo("C0FFEEFFFFFFFFFFFFFFFFFFFFFFFFFF");
        assertThat(result.at("/credentials/0/facilityCode").asInt()).isEqualTo(12);
        assertThat(result.at("/schedules/0/type").asText()).isEqualTo("ALWAYS_ACTIVE"); // passed through unchanged
    }

    @Test
    void refusesAnExpirationBeforeTheActivationNamingRecordAndField() {
        ObjectNode file = file(c -> { });
        ((ArrayNode) file.get("credentials")).add(credential(1).put("credential", "abd").put("expiration", "2025-12-31T23:59:59.000Z"));

        assertThat(problem(file)).isEqualTo("payload.credentials[1].expiration: before activation (2026-01-01T00:00:00.000Z)");
    }

    @Test
    void refusesATimeThatIsNotUtcWithMilliseconds() {
        assertThat(problem(file(c -> c.put("activation", "2026-01-01T01:00:00+01:00"))))
                .startsWith("payload.credentials[0].activation: ").contains("YYYY-MM-DDThh:mm:ss.sssZ");
    }

    @Test
    void refusesACodeLongerThan32OrNotHexadecimal() {
        assertThat(problem(file(c -> c.put("credential", "F".repeat(33))))).startsWith("payload.credentials[0].credential: ");
        assertThat(problem(file(c -> c.put("credential", "xyz")))).startsWith("payload.credentials[0].credential: ")
                .contains("not hexadecimal");
    }

    @Test
    void refusesAnUnknownActiveValueAndMissingTransportOrFunction() {
        assertThat(problem(file(c -> c.put("active", "YES")))).isEqualTo("payload.credentials[0].active: must be ACTIVE or INACTIVE, not \"YES\"");
        assertThat(problem(file(c -> c.remove("transportTechnology")))).isEqualTo("payload.credentials[0].transportTechnology: is required");
        assertThat(problem(file(c -> c.put("function", "")))).isEqualTo("payload.credentials[0].function: must be a non-empty string");
    }

    @Test
    void refusesAPrimaryScheduleThatIsNotInTheFile() {
        assertThat(problem(file(c -> c.putArray("primarySchedules").addObject().put("id", "night-shift"))))
                .isEqualTo("payload.credentials[0].primarySchedules[0].id: unknown schedule \"night-shift\" (not an id in payload.schedules)");
    }

    @Test
    void refusesRepeatedIdsAndCodes() {
        ObjectNode sameId = file(c -> { });
        ((ArrayNode) sameId.get("credentials")).add(credential(0).put("credential", "abd"));
        ObjectNode sameCode = file(c -> { });
        ((ArrayNode) sameCode.get("credentials")).add(credential(1).put("credential", "ABCFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"));

        assertThat(problem(sameId)).startsWith("payload.credentials[1].id: duplicate credential id \"emp-0\"");
        assertThat(problem(sameCode)).startsWith("payload.credentials[1].credential: duplicate credential code");
    }

    private String problem(JsonNode file) {
        InvalidActionException e = catchThrowableOfType(InvalidActionException.class, () -> validator.validateAndNormalize(file));
        assertThat(e).as("refused").isNotNull();
        return e.getMessage();
    }

    /** A valid file with one credential (changed by {@code change}) and one schedule. */
    private ObjectNode file(Consumer<ObjectNode> change) {
        ObjectNode credential = credential(0);
        change.accept(credential);
        ObjectNode file = mapper.createObjectNode();
        file.putArray("credentials").add(credential);
        file.putArray("schedules").addObject().put("id", "always").put("type", "ALWAYS_ACTIVE");
        return file;
    }

    private ObjectNode credential(int n) {
        try {
            return (ObjectNode) mapper.readTree("""
                    {"id":"emp-%d","credential":"abc","active":"ACTIVE","transportTechnology":"PROX","function":"NORMAL",
                     "activation":"2026-01-01T00:00:00.000Z","expiration":"2027-01-01T00:00:00.000Z","primarySchedules":[{"id":"always"}]}"""
                    .formatted(n));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
