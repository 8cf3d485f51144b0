package org.devicebridge.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.devicebridge.intake.ActionPlanner.PlannedCommand;
import org.devicebridge.intake.InvalidActionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BulkActionPlannerTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final BulkActionPlanner planner = new BulkActionPlanner(new MacAddressNormalizer());

    // --- plan ----------------------------------------------------------------------------------

    @Test
    void kindIsBulk() {
        assertThat(planner.kind()).isEqualTo("bulk");
    }

    @Test
    void plansOneSendCommandPerDevice() {
        List<PlannedCommand> plan = plan("{'kind':'bulk','type':'renew_ip','ids':['HW-1','HW-2','HW-3']}");

        assertThat(plan).extracting(PlannedCommand::device).containsExactly("HW-1", "HW-2", "HW-3");
        assertThat(plan).extracting(PlannedCommand::firstPhase).containsOnly("SEND");
    }

    @Test
    void payloadIsCompactJsonWithTypeIdKindAndParams() {
        List<PlannedCommand> plan = plan("{'kind':'bulk','type':'exempt','ids':['HW-1'],'params':{'exempt_time':24}}");

        assertThat(plan.get(0).payload()).isEqualTo("{\"type\":\"exempt\",\"id_kind\":\"ids\",\"params\":{\"exempt_time\":24}}");
    }

    @Test
    void everyDeviceOfTheActionGetsTheSamePayload() {
        List<PlannedCommand> plan = plan("{'kind':'bulk','type':'exempt','ids':['HW-1','HW-2'],'params':{'exempt_time':24}}");

        assertThat(plan).extracting(PlannedCommand::payload).containsOnly(plan.get(0).payload());
    }

    @Test
    void payloadHasEmptyParamsWhenNoneGiven() {
        assertThat(plan("{'type':'delete','ids':['HW-1']}").get(0).payload())
                .isEqualTo("{\"type\":\"delete\",\"id_kind\":\"ids\",\"params\":{}}");
    }

    @Test
    void payloadNamesMacsAsIdKind() {
        assertThat(plan("{'type':'renew_ip','macs':['AA-BB-CC-DD-EE-01']}").get(0).payload())
                .isEqualTo("{\"type\":\"renew_ip\",\"id_kind\":\"macs\",\"params\":{}}");
    }

    @Test
    void trimsHwids() {
        assertThat(plan("{'type':'delete','ids':['  HW-1 ']}")).extracting(PlannedCommand::device).containsExactly("HW-1");
    }

    @Test
    void collapsesDuplicateHwidsKeepingFirstOccurrenceOrder() {
        assertThat(plan("{'type':'delete','ids':['HW-2','HW-1','HW-2 ','HW-3','HW-1']}"))
                .extracting(PlannedCommand::device).containsExactly("HW-2", "HW-1", "HW-3");
    }

    @Test
    void plansNormalisedMacsAsDevices() {
        assertThat(plan("{'type':'renew_ip','macs':['AA-BB-CC-DD-EE-01','aabb.ccdd.ee02']}"))
                .extracting(PlannedCommand::device).containsExactly("aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02");
    }

    @Test
    void collapsesMacsEqualAfterNormalisation() {
        assertThat(plan("{'type':'renew_ip','macs':['AA-BB-CC-DD-EE-01','aa:bb:cc:dd:ee:01','AABBCCDDEE01']}"))
                .extracting(PlannedCommand::device).containsExactly("aa:bb:cc:dd:ee:01");
    }

    @Test
    void ignoresOtherTopLevelFields() {
        assertThat(plan("{'kind':'bulk','id':'a-1','deadline':'PT15M','type':'delete','ids':['HW-1']}")).hasSize(1);
    }

    @Test
    void leavesTheInputUntouched() {
        JsonNode action = json("{'type':'assign_to_group','macs':['AA-BB-CC-DD-EE-01'],'params':{'group_id':' lab '}}");
        JsonNode before = action.deepCopy();

        planner.plan(action);

        assertThat(action).isEqualTo(before);
    }

    // --- type ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"delete", "renew_ip", "exempt", "unexempt", "re_identify", "assign_to_group"})
    void acceptsEveryContractType(String type) {
        assertThat(plan("{'type':'" + type + "','ids':['HW-1']}")).hasSize(1);
    }

    @Test
    void rejectsMissingType() {
        assertThat(rejection("{'ids':['HW-1']}").field()).isEqualTo("type");
    }

    @Test
    void rejectsUnknownType() {
        InvalidActionException e = rejection("{'type':'reboot','ids':['HW-1']}");

        assertThat(e.field()).isEqualTo("type");
        assertThat(e.reason()).contains("\"reboot\"").contains("assign_to_group");
    }

    @Test
    void rejectsTypeInWrongCase() {
        assertThat(rejection("{'type':'DELETE','ids':['HW-1']}").field()).isEqualTo("type");
    }

    @Test
    void rejectsNonStringType() {
        assertThat(rejection("{'type':['delete'],'ids':['HW-1']}").field()).isEqualTo("type");
    }

    // --- ids / macs ----------------------------------------------------------------------------

    @Test
    void rejectsBothIdsAndMacs() {
        assertThat(rejection("{'type':'delete','ids':['HW-1'],'macs':['aa:bb:cc:dd:ee:ff']}").field()).isEqualTo("macs");
    }

    @Test
    void rejectsNeitherIdsNorMacs() {
        assertThat(rejection("{'type':'delete'}").field()).isEqualTo("ids");
    }

    @Test
    void treatsNullMacsAsAbsent() {
        assertThat(plan("{'type':'delete','ids':['HW-1'],'macs':null}")).hasSize(1);
    }

    @Test
    void rejectsEmptyIds() {
        assertThat(rejection("{'type':'delete','ids':[]}").field()).isEqualTo("ids");
    }

    @Test
    void rejectsIdsThatIsNotAnArray() {
        assertThat(rejection("{'type':'delete','ids':'HW-1'}").field()).isEqualTo("ids");
    }

    @Test
    void rejectsEmptyMacs() {
        assertThat(rejection("{'type':'delete','macs':[]}").field()).isEqualTo("macs");
    }

    @Test
    void rejectsNonStringIdNamingItsIndex() {
        assertThat(rejection("{'type':'delete','ids':['HW-1','HW-2','HW-3',4]}").field()).isEqualTo("ids[3]");
    }

    @Test
    void rejectsBlankIdNamingItsIndex() {
        assertThat(rejection("{'type':'delete','ids':['HW-1','  ']}").field()).isEqualTo("ids[1]");
    }

    @Test
    void rejectsBlankMacNamingItsIndex() {
        assertThat(rejection("{'type':'delete','macs':['']}").field()).isEqualTo("macs[0]");
    }

    @Test
    void rejectsMalformedMacNamingIndexAndValue() {
        InvalidActionException e = rejection("{'type':'delete','macs':['aa:bb:cc:dd:ee:ff','aa:bb:cc:dd:ee:zz']}");

        assertThat(e.field()).isEqualTo("macs[1]");
        assertThat(e.reason()).contains("\"aa:bb:cc:dd:ee:zz\"");
    }

    // --- params --------------------------------------------------------------------------------

    @Test
    void acceptsExemptTimeZeroForForever() {
        assertThat(plan("{'type':'exempt','ids':['HW-1'],'params':{'exempt_time':0}}").get(0).payload())
                .contains("\"params\":{\"exempt_time\":0}");
    }

    @Test
    void acceptsExemptTimeJustBelowTheLimit() {
        assertThat(plan("{'type':'exempt','ids':['HW-1'],'params':{'exempt_time':64999}}").get(0).payload())
                .contains("\"exempt_time\":64999");
    }

    @Test
    void rejectsExemptTimeAtTheLimit() {
        assertThat(rejection("{'type':'exempt','ids':['HW-1'],'params':{'exempt_time':65000}}").field())
                .isEqualTo("params.exempt_time");
    }

    @Test
    void rejectsHugeExemptTime() {
        assertThat(rejection("{'type':'exempt','ids':['HW-1'],'params':{'exempt_time':123456789012345678901234567890}}").field())
                .isEqualTo("params.exempt_time");
    }

    @Test
    void rejectsNegativeExemptTime() {
        assertThat(rejection("{'type':'exempt','ids':['HW-1'],'params':{'exempt_time':-1}}").field())
                .isEqualTo("params.exempt_time");
    }

    @Test
    void rejectsFractionalExemptTime() {
        assertThat(rejection("{'type':'exempt','ids':['HW-1'],'params':{'exempt_time':1.5}}").field())
                .isEqualTo("params.exempt_time");
    }

    @Test
    void rejectsExemptTimeGivenAsString() {
        assertThat(rejection("{'type':'exempt','ids':['HW-1'],'params':{'exempt_time':'24'}}").field())
                .isEqualTo("params.exempt_time");
    }

    @Test
    void rejectsExemptTimeOnAnotherType() {
        InvalidActionException e = rejection("{'type':'unexempt','ids':['HW-1'],'params':{'exempt_time':24}}");

        assertThat(e.field()).isEqualTo("params.exempt_time");
        assertThat(e.reason()).isEqualTo("only allowed for type exempt, not for unexempt");
    }

    @Test
    void setsDefaultGroupForAssignToGroupWithoutGroupId() {
        assertThat(plan("{'type':'assign_to_group','ids':['HW-1']}").get(0).payload())
                .isEqualTo("{\"type\":\"assign_to_group\",\"id_kind\":\"ids\",\"params\":{\"group_id\":\"default\"}}");
    }

    @Test
    void keepsGivenGroupIdTrimmed() {
        assertThat(plan("{'type':'assign_to_group','ids':['HW-1'],'params':{'group_id':' lab '}}").get(0).payload())
                .contains("\"params\":{\"group_id\":\"lab\"}");
    }

    @Test
    void rejectsBlankGroupId() {
        assertThat(rejection("{'type':'assign_to_group','ids':['HW-1'],'params':{'group_id':' '}}").field())
                .isEqualTo("params.group_id");
    }

    @Test
    void rejectsNonStringGroupId() {
        assertThat(rejection("{'type':'assign_to_group','ids':['HW-1'],'params':{'group_id':7}}").field())
                .isEqualTo("params.group_id");
    }

    @Test
    void rejectsGroupIdOnAnotherType() {
        assertThat(rejection("{'type':'exempt','ids':['HW-1'],'params':{'group_id':'lab'}}").field())
                .isEqualTo("params.group_id");
    }

    @Test
    void rejectsUnknownParamNamingItsKey() {
        assertThat(rejection("{'type':'exempt','ids':['HW-1'],'params':{'exempt_time':1,'colour':'red'}}").field())
                .isEqualTo("params.colour");
    }

    @Test
    void rejectsParamsThatIsNotAnObject() {
        assertThat(rejection("{'type':'exempt','ids':['HW-1'],'params':[24]}").field()).isEqualTo("params");
    }

    @Test
    void treatsNullParamValueAsAbsent() {
        assertThat(plan("{'type':'renew_ip','ids':['HW-1'],'params':{'exempt_time':null}}").get(0).payload())
                .contains("\"params\":{}");
    }

    @Test
    void treatsNullParamsAsAbsent() {
        assertThat(plan("{'type':'renew_ip','ids':['HW-1'],'params':null}").get(0).payload()).contains("\"params\":{}");
    }

    @Test
    void checksDevicesBeforeParams() {
        assertThat(rejection("{'type':'exempt','ids':[],'params':{'colour':'red'}}").field()).isEqualTo("ids");
    }

    // -------------------------------------------------------------------------------------------

    private List<PlannedCommand> plan(String singleQuoted) {
        return planner.plan(json(singleQuoted));
    }

    private InvalidActionException rejection(String singleQuoted) {
        JsonNode action = json(singleQuoted);
        InvalidActionException e = catchThrowableOfType(InvalidActionException.class, () -> planner.plan(action));
        assertThat(e).as("expected the action to be rejected").isNotNull();
        return e;
    }

    /** Parses JSON written with single quotes for readability. */
    private JsonNode json(String singleQuoted) {
        try {
            return mapper.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
