package org.devicebridge.access;

import org.devicebridge.intake.InvalidActionException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialsPayloadValidatorTest {

    private static final String OFFICE_HOURS =
            "{'id':'office-hours','timezone':'Europe/Berlin',"
                    + "'intervals':[{'days':['MON','TUE','WED','THU','FRI'],'start':'08:00','end':'18:00'}]}";

    private final ObjectMapper mapper = new ObjectMapper();
    private final CredentialsPayloadValidator validator = new CredentialsPayloadValidator(new CredentialIdNormalizer());

    // --- accepted payloads -------------------------------------------------------------------

    @Test
    void acceptsContractExampleUnchanged() {
        JsonNode payload = json("{'credentials':[{'id':'1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF','holder':'Ada Lovelace',"
                + "'schedule_ids':['office-hours'],'valid_from':'2026-01-01T00:00:00Z','valid_until':null}],"
                + "'schedules':[" + OFFICE_HOURS + "]}");

        assertThat(validator.validateAndNormalize(payload)).isEqualTo(payload);
    }

    @Test
    void padsShortLowerCaseIdToThirtyTwoUpperHex() {
        JsonNode result = validator.validateAndNormalize(payload("{'id':' 1a2b3c4d '}", ""));

        assertThat(result.at("/credentials/0/id").textValue()).isEqualTo("1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF");
    }

    @Test
    void keepsHolderAndValidityFields() {
        JsonNode result = validator.validateAndNormalize(payload(
                "{'id':'ab','holder':'Ada','valid_from':'2026-01-01T00:00:00Z',"
                        + "'valid_until':'2026-12-31T23:59:59.5+01:00','badge_colour':'red'}", ""));

        assertThat(result.get("credentials").get(0)).isEqualTo(json(
                "{'id':'ABFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF','holder':'Ada','schedule_ids':[],'valid_from':'2026-01-01T00:00:00Z',"
                        + "'valid_until':'2026-12-31T23:59:59.5+01:00','badge_colour':'red'}"));
    }

    @Test
    void leavesTheInputUntouched() {
        JsonNode payload = payload("{'id':'ab'}", "{'id':'s','timezone':'UTC','intervals':[{'days':['mon'],'start':'08:00','end':'09:00'}]}");
        JsonNode before = payload.deepCopy();

        validator.validateAndNormalize(payload);

        assertThat(payload).isEqualTo(before);
    }

    @Test
    void treatsMissingSchedulesAsEmptyArray() {
        JsonNode result = validator.validateAndNormalize(json("{'credentials':[{'id':'ab'}]}"));

        assertThat(result.get("schedules")).isEqualTo(json("[]"));
    }

    @Test
    void acceptsEmptyCredentialsArray() {
        JsonNode result = validator.validateAndNormalize(json("{'credentials':[]}"));

        assertThat(result).isEqualTo(json("{'credentials':[],'schedules':[]}"));
    }

    @Test
    void dropsUnknownTopLevelFields() {
        JsonNode result = validator.validateAndNormalize(json("{'credentials':[],'schedules':[],'comment':'x'}"));

        assertThat(result).isEqualTo(json("{'credentials':[],'schedules':[]}"));
    }

    @Test
    void sendsMissingScheduleIdsAsAnEmptyList() {
        JsonNode result = validator.validateAndNormalize(payload("{'id':'ab'}", ""));

        assertThat(result.at("/credentials/0/schedule_ids").isArray()).isTrue();
        assertThat(result.at("/credentials/0/schedule_ids")).isEmpty();
    }

    @Test
    void acceptsNullScheduleIdsAndValidity() {
        JsonNode result = validator.validateAndNormalize(
                payload("{'id':'ab','schedule_ids':null,'valid_from':null,'valid_until':null}", ""));

        assertThat(result.at("/credentials/0/valid_from").isNull()).isTrue();
    }

    @Test
    void resolvesReferenceToScheduleListedBeforeCredentials() {
        JsonNode payload = json("{'schedules':[" + OFFICE_HOURS + "],'credentials':[{'id':'ab','schedule_ids':['office-hours']}]}");

        assertThat(validator.validateAndNormalize(payload).at("/credentials/0/schedule_ids/0").textValue())
                .isEqualTo("office-hours");
    }

    @Test
    void acceptsScheduleWithEmptyIntervals() {
        JsonNode result = validator.validateAndNormalize(payload("", "{'id':'never','timezone':'UTC','intervals':[]}"));

        assertThat(result.at("/schedules/0/intervals")).isEqualTo(json("[]"));
    }

    @Test
    void normalisesLowerCaseDaysToUpperCase() {
        JsonNode result = validator.validateAndNormalize(
                payload("", "{'id':'s','timezone':'UTC','intervals':[{'days':['mon','Sat'],'start':'08:00','end':'09:00'}]}"));

        assertThat(result.at("/schedules/0/intervals/0/days")).isEqualTo(json("['MON','SAT']"));
    }

    @Test
    void acceptsWholeDayFromMidnightToLastMinute() {
        JsonNode payload = payload("", "{'id':'s','timezone':'UTC','intervals':[{'days':['SUN'],'start':'00:00','end':'23:59'}]}");

        assertThat(validator.validateAndNormalize(payload)).isEqualTo(payload);
    }

    // --- top level ---------------------------------------------------------------------------

    @Test
    void rejectsPayloadThatIsNotAnObject() {
        assertThat(rejection(json("[]")).field()).isEqualTo("payload");
    }

    @Test
    void rejectsNullPayload() {
        assertThat(rejection(null).field()).isEqualTo("payload");
    }

    @Test
    void rejectsMissingCredentials() {
        InvalidActionException e = rejection(json("{'schedules':[]}"));

        assertThat(e.field()).isEqualTo("payload.credentials");
        assertThat(e.reason()).isEqualTo("is required");
    }

    @Test
    void rejectsCredentialsThatIsNotAnArray() {
        assertThat(rejection(json("{'credentials':{}}")).field()).isEqualTo("payload.credentials");
    }

    @Test
    void rejectsNullSchedules() {
        assertThat(rejection(json("{'credentials':[],'schedules':null}")).field()).isEqualTo("payload.schedules");
    }

    // --- credentials -------------------------------------------------------------------------

    @Test
    void rejectsCredentialThatIsNotAnObject() {
        assertThat(rejection(json("{'credentials':[{'id':'ab'},'cd']}")).field()).isEqualTo("payload.credentials[1]");
    }

    @Test
    void rejectsCredentialWithoutId() {
        assertThat(rejection(payload("{'holder':'Ada'}", "")).field()).isEqualTo("payload.credentials[0].id");
    }

    @Test
    void rejectsNumericCredentialId() {
        InvalidActionException e = rejection(payload("{'id':1234}", ""));

        assertThat(e.field()).isEqualTo("payload.credentials[0].id");
        assertThat(e.reason()).isEqualTo("must be a string");
    }

    @Test
    void rejectsBlankCredentialId() {
        assertThat(rejection(payload("{'id':'ab'},{'id':'  '}", "")).field()).isEqualTo("payload.credentials[1].id");
    }

    @Test
    void rejectsCredentialIdLongerThan32Hex() {
        InvalidActionException e = rejection(payload("{'id':'ab'},{'id':'cd'},{'id':'" + "c".repeat(33) + "'}", ""));

        assertThat(e.field()).isEqualTo("payload.credentials[2].id");
        assertThat(e.reason()).contains("longer than 32");
    }

    @Test
    void rejectsNonHexCredentialId() {
        InvalidActionException e = rejection(payload("{'id':'12345xyz'}", ""));

        assertThat(e.field()).isEqualTo("payload.credentials[0].id");
        assertThat(e.reason()).contains("\"12345xyz\"").contains("not hexadecimal");
    }

    @Test
    void rejectsDuplicateCredentialIdAfterNormalisation() {
        InvalidActionException e = rejection(payload("{'id':'ab'},{'id':'ABFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF'}", ""));

        assertThat(e.field()).isEqualTo("payload.credentials[1].id");
        assertThat(e.reason()).contains("payload.credentials[0].id");
    }

    @Test
    void rejectsCredentialReferencingUnknownSchedule() {
        InvalidActionException e = rejection(payload("{'id':'ab','schedule_ids':['office-hours','night-shift']}", OFFICE_HOURS));

        assertThat(e.field()).isEqualTo("payload.credentials[0].schedule_ids[1]");
        assertThat(e.reason()).contains("\"night-shift\"");
    }

    @Test
    void rejectsScheduleIdsThatIsNotAnArray() {
        assertThat(rejection(payload("{'id':'ab','schedule_ids':'office-hours'}", OFFICE_HOURS)).field())
                .isEqualTo("payload.credentials[0].schedule_ids");
    }

    @Test
    void rejectsNonStringScheduleReference() {
        assertThat(rejection(payload("{'id':'ab','schedule_ids':[7]}", OFFICE_HOURS)).field())
                .isEqualTo("payload.credentials[0].schedule_ids[0]");
    }

    @Test
    void rejectsMalformedValidFrom() {
        assertThat(rejection(payload("{'id':'ab','valid_from':'2026-13-01T00:00:00Z'}", "")).field())
                .isEqualTo("payload.credentials[0].valid_from");
    }

    @Test
    void rejectsValidUntilWithoutOffset() {
        assertThat(rejection(payload("{'id':'ab','valid_until':'2026-01-01T00:00:00'}", "")).field())
                .isEqualTo("payload.credentials[0].valid_until");
    }

    @Test
    void rejectsNonStringValidFrom() {
        assertThat(rejection(payload("{'id':'ab','valid_from':1767225600}", "")).field())
                .isEqualTo("payload.credentials[0].valid_from");
    }

    @Test
    void rejectsValidFromNotBeforeValidUntil() {
        InvalidActionException e = rejection(payload(
                "{'id':'ab','valid_from':'2026-01-01T01:00:00+01:00','valid_until':'2026-01-01T00:00:00Z'}", ""));

        assertThat(e.field()).isEqualTo("payload.credentials[0].valid_until");
        assertThat(e.reason()).contains("after valid_from");
    }

    // --- schedules ---------------------------------------------------------------------------

    @Test
    void rejectsScheduleThatIsNotAnObject() {
        assertThat(rejection(payload("", "'office-hours'")).field()).isEqualTo("payload.schedules[0]");
    }

    @Test
    void rejectsScheduleWithoutId() {
        assertThat(rejection(payload("", "{'timezone':'UTC','intervals':[]}")).field()).isEqualTo("payload.schedules[0].id");
    }

    @Test
    void rejectsBlankScheduleId() {
        assertThat(rejection(payload("", "{'id':' ','timezone':'UTC','intervals':[]}")).field())
                .isEqualTo("payload.schedules[0].id");
    }

    @Test
    void rejectsDuplicateScheduleId() {
        InvalidActionException e = rejection(payload("", OFFICE_HOURS + "," + OFFICE_HOURS));

        assertThat(e.field()).isEqualTo("payload.schedules[1].id");
        assertThat(e.reason()).contains("payload.schedules[0].id");
    }

    @Test
    void rejectsUnknownTimeZone() {
        InvalidActionException e = rejection(payload("", "{'id':'s','timezone':'Europe/Atlantis','intervals':[]}"));

        assertThat(e.field()).isEqualTo("payload.schedules[0].timezone");
        assertThat(e.reason()).contains("\"Europe/Atlantis\"");
    }

    @Test
    void rejectsMissingTimeZone() {
        assertThat(rejection(payload("", "{'id':'s','intervals':[]}")).field()).isEqualTo("payload.schedules[0].timezone");
    }

    @Test
    void rejectsScheduleWithoutIntervals() {
        assertThat(rejection(payload("", "{'id':'s','timezone':'UTC'}")).field()).isEqualTo("payload.schedules[0].intervals");
    }

    @Test
    void rejectsIntervalThatIsNotAnObject() {
        assertThat(rejection(payload("", "{'id':'s','timezone':'UTC','intervals':['MON 08:00-18:00']}")).field())
                .isEqualTo("payload.schedules[0].intervals[0]");
    }

    @Test
    void rejectsEmptyDays() {
        assertThat(rejection(payload("", interval("[]", "08:00", "18:00"))).field())
                .isEqualTo("payload.schedules[0].intervals[1].days");
    }

    @Test
    void rejectsUnknownDayNamingTheInterval() {
        InvalidActionException e = rejection(payload("", interval("['MON','TUE','MONDAY']", "08:00", "18:00")));

        assertThat(e.field()).isEqualTo("payload.schedules[0].intervals[1].days[2]");
        assertThat(e.reason()).contains("\"MONDAY\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"8:00", "08:0", "24:00", "12:60", "0800", "08:00:00", " 08:00", "08.00", "ab:cd"})
    void rejectsMalformedTime(String start) {
        InvalidActionException e = rejection(payload("", interval("['MON']", start, "18:00")));

        assertThat(e.field()).isEqualTo("payload.schedules[0].intervals[1].start");
    }

    @Test
    void rejectsMissingEnd() {
        JsonNode payload = payload("", "{'id':'s','timezone':'UTC','intervals':[{'days':['MON'],'start':'08:00'}]}");

        assertThat(rejection(payload).field()).isEqualTo("payload.schedules[0].intervals[0].end");
    }

    @Test
    void rejectsStartNotBeforeEnd() {
        InvalidActionException e = rejection(payload("", interval("['MON']", "22:00", "06:00")));

        assertThat(e.field()).isEqualTo("payload.schedules[0].intervals[1].end");
        assertThat(e.reason()).contains("after start (22:00)");
    }

    @Test
    void rejectsEqualStartAndEnd() {
        assertThat(rejection(payload("", interval("['MON']", "08:00", "08:00"))).field())
                .isEqualTo("payload.schedules[0].intervals[1].end");
    }

    // --- reporting ---------------------------------------------------------------------------

    @Test
    void reportsFirstProblemInDocumentOrder() {
        JsonNode payload = payload(
                "{'id':'ab'},{'id':'xyz','valid_from':'yesterday'},{'id':'" + "c".repeat(40) + "'}",
                "{'id':'s','timezone':'Mars/Olympus','intervals':[]}");

        assertThat(rejection(payload).field()).isEqualTo("payload.credentials[1].id");
    }

    @Test
    void checksSchedulesFirstWhenTheyComeFirstInTheDocument() {
        JsonNode payload = json("{'schedules':[{'id':'s','timezone':'Mars/Olympus','intervals':[]}],'credentials':[{'id':'xyz'}]}");

        assertThat(rejection(payload).field()).isEqualTo("payload.schedules[0].timezone");
    }

    @Test
    void messageIsFieldColonReason() {
        InvalidActionException e = rejection(payload("", "{'id':'s','timezone':'UTC'}"));

        assertThat(e).hasMessage(e.field() + ": " + e.reason());
    }

    // --- helpers -----------------------------------------------------------------------------

    /** A schedule whose second interval has the given days, start and end; the first is valid. */
    private static String interval(String days, String start, String end) {
        return "{'id':'s','timezone':'Europe/Berlin','intervals':[{'days':['SUN'],'start':'10:00','end':'12:00'},"
                + "{'days':" + days + ",'start':'" + start + "','end':'" + end + "'}]}";
    }

    private JsonNode payload(String credentials, String schedules) {
        return json("{'credentials':[" + credentials + "],'schedules':[" + schedules + "]}");
    }

    /** Parses JSON written with single quotes for readability. */
    private JsonNode json(String singleQuoted) {
        try {
            return mapper.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private InvalidActionException rejection(JsonNode payload) {
        InvalidActionException e = catchThrowableOfType(
                InvalidActionException.class, () -> validator.validateAndNormalize(payload));
        assertThat(e).as("expected the payload to be rejected").isNotNull();
        return e;
    }
}
