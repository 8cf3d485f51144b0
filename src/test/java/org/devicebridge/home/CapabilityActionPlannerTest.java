package org.devicebridge.home;

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

class CapabilityActionPlannerTest {

    private static final String ON = "{'type':'devices.capabilities.on_off','state':{'instance':'on','value':true}}";

    private final ObjectMapper mapper = new ObjectMapper();
    private final CapabilityActionPlanner planner = new CapabilityActionPlanner();

    // --- plan ----------------------------------------------------------------------------------

    @Test
    void kindIsCapability() {
        assertThat(planner.kind()).isEqualTo("capability");
    }

    @Test
    void plansOneSendCommandForTheDevice() {
        List<PlannedCommand> plan = plan("{'kind':'capability','device':'lamp-1','actions':[" + ON + "]}");

        assertThat(plan).containsExactly(new PlannedCommand("lamp-1",
                "{\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}",
                "SEND"));
    }

    @Test
    void payloadKeepsEveryActionAsGiven() {
        String second = "{'type':'devices.capabilities.range','state':{'instance':'brightness','value':-10,'relative':true}}";
        List<PlannedCommand> plan = plan("{'device':'lamp-1','actions':[" + ON + "," + second + "]}");

        assertThat(json(plan.get(0).payload())).isEqualTo(json("{'actions':[" + ON + "," + second + "]}"));
    }

    @Test
    void trimsTheDevice() {
        assertThat(plan("{'device':' lamp-1 ','actions':[" + ON + "]}").get(0).device()).isEqualTo("lamp-1");
    }

    @Test
    void ignoresOtherTopLevelFields() {
        assertThat(plan("{'kind':'capability','id':'x','deadline':'PT1M','device':'lamp-1','actions':[" + ON + "]}")).hasSize(1);
    }

    // --- device and actions --------------------------------------------------------------------

    @Test
    void rejectsMissingDevice() {
        assertThat(rejection("{'actions':[" + ON + "]}").field()).isEqualTo("device");
    }

    @Test
    void rejectsBlankDevice() {
        assertThat(rejection("{'device':'  ','actions':[" + ON + "]}").field()).isEqualTo("device");
    }

    @Test
    void rejectsNonStringDevice() {
        assertThat(rejection("{'device':7,'actions':[" + ON + "]}").field()).isEqualTo("device");
    }

    @Test
    void rejectsMissingActions() {
        assertThat(rejection("{'device':'lamp-1'}").field()).isEqualTo("actions");
    }

    @Test
    void rejectsEmptyActions() {
        assertThat(rejection("{'device':'lamp-1','actions':[]}").field()).isEqualTo("actions");
    }

    @Test
    void rejectsActionsThatIsNotAnArray() {
        assertThat(rejection("{'device':'lamp-1','actions':" + ON + "}").field()).isEqualTo("actions");
    }

    @Test
    void rejectsActionElementThatIsNotAnObject() {
        assertThat(rejection("{'device':'lamp-1','actions':[" + ON + ",'on']}").field()).isEqualTo("actions[1]");
    }

    // --- type, state, instance, value ----------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"on_off", "devices.capabilities.dimmer", "devices.capabilities.ON_OFF", "devices.properties.float"})
    void rejectsUnknownCapabilityType(String type) {
        assertThat(rejection(action("{'type':'" + type + "','state':{'instance':'on','value':true}}")).field())
                .isEqualTo("actions[0].type");
    }

    @Test
    void rejectsMissingType() {
        assertThat(rejection(action("{'state':{'instance':'on','value':true}}")).field()).isEqualTo("actions[0].type");
    }

    @Test
    void rejectsMissingState() {
        assertThat(rejection(action("{'type':'devices.capabilities.on_off'}")).field()).isEqualTo("actions[0].state");
    }

    @Test
    void rejectsStateThatIsNotAnObject() {
        assertThat(rejection(action("{'type':'devices.capabilities.on_off','state':true}")).field())
                .isEqualTo("actions[0].state");
    }

    @Test
    void rejectsMissingInstance() {
        assertThat(rejection(onOff("{'value':true}")).field()).isEqualTo("actions[0].state.instance");
    }

    @Test
    void rejectsNonStringInstance() {
        assertThat(rejection(onOff("{'instance':1,'value':true}")).field()).isEqualTo("actions[0].state.instance");
    }

    @Test
    void rejectsMissingValue() {
        assertThat(rejection(onOff("{'instance':'on'}")).field()).isEqualTo("actions[0].state.value");
    }

    @Test
    void treatsNullValueAsMissing() {
        assertThat(rejection(onOff("{'instance':'on','value':null}")).field()).isEqualTo("actions[0].state.value");
    }

    @Test
    void namesTheIndexOfTheFailingElement() {
        assertThat(rejection("{'device':'lamp-1','actions':[" + ON + ","
                + "{'type':'devices.capabilities.toggle','state':{'instance':'mute','value':'yes'}}]}").field())
                .isEqualTo("actions[1].state.value");
    }

    @Test
    void rejectsUnknownStateField() {
        assertThat(rejection(onOff("{'instance':'on','value':true,'colour':'red'}")).field())
                .isEqualTo("actions[0].state.colour");
    }

    @Test
    void rejectsUnknownActionElementField() {
        assertThat(rejection(action("{'type':'devices.capabilities.on_off','state':{'instance':'on','value':true},'retries':3}")).field())
                .isEqualTo("actions[0].retries");
    }

    @Test
    void rejectsSecondActionForTheSameCapabilityInstance() {
        String off = "{'type':'devices.capabilities.on_off','state':{'instance':'on','value':false}}";
        InvalidActionException e = rejection("{'device':'lamp-1','actions':[" + ON + "," + off + "]}");

        assertThat(e.field()).isEqualTo("actions[1].state.instance");
        assertThat(e.reason()).contains("actions[0]");
    }

    @Test
    void acceptsTwoInstancesOfTheSameCapabilityType() {
        assertThat(plan("{'device':'tv','actions':[" + toggle("mute", "true") + "," + toggle("pause", "false") + "]}")).hasSize(1);
    }

    // --- on_off --------------------------------------------------------------------------------

    @Test
    void rejectsOnOffInstanceOtherThanOn() {
        assertThat(rejection(onOff("{'instance':'off','value':true}")).field()).isEqualTo("actions[0].state.instance");
    }

    @Test
    void rejectsNonBooleanOnOffValue() {
        assertThat(rejection(onOff("{'instance':'on','value':'true'}")).field()).isEqualTo("actions[0].state.value");
    }

    // --- range ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"0", "100", "55.5"})
    void acceptsAbsoluteBrightnessFrom0To100(String value) {
        assertThat(plan(action(range("brightness", value, null)))).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "100.5", "101"})
    void rejectsAbsoluteBrightnessOutside0To100(String value) {
        assertThat(rejection(action(range("brightness", value, null))).field()).isEqualTo("actions[0].state.value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-100", "100", "-5"})
    void acceptsRelativeBrightnessFromMinus100To100(String value) {
        assertThat(plan(action(range("brightness", value, "true")))).hasSize(1);
    }

    @Test
    void rejectsRelativeBrightnessBelowMinus100() {
        assertThat(rejection(action(range("brightness", "-101", "true"))).field()).isEqualTo("actions[0].state.value");
    }

    @Test
    void rejectsNegativeBrightnessWhenRelativeIsFalse() {
        assertThat(rejection(action(range("brightness", "-5", "false"))).field()).isEqualTo("actions[0].state.value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"temperature", "volume", "channel"})
    void acceptsAnyNumberForOtherRangeInstances(String instance) {
        assertThat(plan(action(range(instance, "-20.5", null)))).hasSize(1);
    }

    @Test
    void rejectsNonNumericRangeValue() {
        assertThat(rejection(action(range("volume", "'10'", null))).field()).isEqualTo("actions[0].state.value");
    }

    @Test
    void rejectsUnknownRangeInstance() {
        assertThat(rejection(action(range("humidity", "10", null))).field()).isEqualTo("actions[0].state.instance");
    }

    @Test
    void rejectsNonBooleanRelative() {
        assertThat(rejection(action(range("volume", "10", "'yes'"))).field()).isEqualTo("actions[0].state.relative");
    }

    @Test
    void rejectsRelativeOutsideRange() {
        assertThat(rejection(onOff("{'instance':'on','value':true,'relative':true}")).field())
                .isEqualTo("actions[0].state.relative");
    }

    // --- color_setting -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"0", "16777215"})
    void acceptsRgbFrom0To16777215(String value) {
        assertThat(plan(action(color("rgb", value)))).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "16777216", "255.0", "'#ff0000'"})
    void rejectsRgbThatIsNotAnIntegerInRange(String value) {
        assertThat(rejection(action(color("rgb", value))).field()).isEqualTo("actions[0].state.value");
    }

    @Test
    void acceptsHsv() {
        assertThat(plan(action(color("hsv", "{'h':360,'s':0,'v':55.5}")))).hasSize(1);
    }

    @Test
    void rejectsHsvThatIsNotAnObject() {
        assertThat(rejection(action(color("hsv", "[1,2,3]"))).field()).isEqualTo("actions[0].state.value");
    }

    @Test
    void rejectsHueAbove360() {
        assertThat(rejection(action(color("hsv", "{'h':361,'s':0,'v':0}"))).field()).isEqualTo("actions[0].state.value.h");
    }

    @Test
    void rejectsSaturationAbove100() {
        assertThat(rejection(action(color("hsv", "{'h':0,'s':101,'v':0}"))).field()).isEqualTo("actions[0].state.value.s");
    }

    @Test
    void rejectsMissingHsvValue() {
        assertThat(rejection(action(color("hsv", "{'h':0,'s':0}"))).field()).isEqualTo("actions[0].state.value.v");
    }

    @Test
    void rejectsNonNumericHsvComponent() {
        assertThat(rejection(action(color("hsv", "{'h':'0','s':0,'v':0}"))).field()).isEqualTo("actions[0].state.value.h");
    }

    @Test
    void rejectsUnknownHsvField() {
        assertThat(rejection(action(color("hsv", "{'h':0,'s':0,'v':0,'a':1}"))).field()).isEqualTo("actions[0].state.value.a");
    }

    @Test
    void acceptsPositiveTemperatureK() {
        assertThat(plan(action(color("temperature_k", "4500")))).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-2700", "2700.5", "'2700'"})
    void rejectsTemperatureKThatIsNotAPositiveInteger(String value) {
        assertThat(rejection(action(color("temperature_k", value))).field()).isEqualTo("actions[0].state.value");
    }

    @Test
    void rejectsUnknownColorInstance() {
        assertThat(rejection(action(color("cmyk", "1"))).field()).isEqualTo("actions[0].state.instance");
    }

    // --- mode ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"thermostat", "fan_speed", "program"})
    void acceptsAnyModeInstanceWithStringValue(String instance) {
        assertThat(plan(action(mode(instance, "'auto'")))).hasSize(1);
    }

    @Test
    void rejectsBlankModeValue() {
        assertThat(rejection(action(mode("thermostat", "' '"))).field()).isEqualTo("actions[0].state.value");
    }

    @Test
    void rejectsNonStringModeValue() {
        assertThat(rejection(action(mode("fan_speed", "3"))).field()).isEqualTo("actions[0].state.value");
    }

    @Test
    void rejectsBlankModeInstance() {
        assertThat(rejection(action(mode(" ", "'auto'"))).field()).isEqualTo("actions[0].state.instance");
    }

    // --- toggle --------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"mute", "pause", "backlight"})
    void acceptsToggleInstanceWithBooleanValue(String instance) {
        assertThat(plan(action(toggle(instance, "false")))).hasSize(1);
    }

    @Test
    void rejectsNonBooleanToggleValue() {
        assertThat(rejection(action(toggle("mute", "1"))).field()).isEqualTo("actions[0].state.value");
    }

    // -------------------------------------------------------------------------------------------

    private static String action(String element) {
        return "{'device':'lamp-1','actions':[" + element + "]}";
    }

    private static String onOff(String state) {
        return action("{'type':'devices.capabilities.on_off','state':" + state + "}");
    }

    private static String range(String instance, String value, String relative) {
        return "{'type':'devices.capabilities.range','state':{'instance':'" + instance + "','value':" + value
                + (relative == null ? "" : ",'relative':" + relative) + "}}";
    }

    private static String color(String instance, String value) {
        return "{'type':'devices.capabilities.color_setting','state':{'instance':'" + instance + "','value':" + value + "}}";
    }

    private static String mode(String instance, String value) {
        return "{'type':'devices.capabilities.mode','state':{'instance':'" + instance + "','value':" + value + "}}";
    }

    private static String toggle(String instance, String value) {
        return "{'type':'devices.capabilities.toggle','state':{'instance':'" + instance + "','value':" + value + "}}";
    }

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
