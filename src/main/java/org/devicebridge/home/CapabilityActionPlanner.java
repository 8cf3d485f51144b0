package org.devicebridge.home;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.intake.ActionPlanner;
import org.devicebridge.intake.InvalidActionException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pre-flight and planning of {@code capability} actions for the home cloud (docs/cloud-contracts.md
 * section 4): {@code {"kind":"capability","device":"lamp-1","actions":[{"type":
 * "devices.capabilities.on_off","state":{"instance":"on","value":true}}]}}.
 *
 * <h2>Rules</h2>
 * Checked in this order; the first problem is reported as an {@link InvalidActionException} whose
 * field is a path within the action, e.g. {@code actions[1].state.value}. A {@code null} value
 * counts as missing.
 * <ul>
 *   <li>{@code device}: required non-blank string (trimmed).</li>
 *   <li>{@code actions}: required non-empty array; each element ({@code actions[i]}) an object.</li>
 *   <li>{@code actions[i].type}: one of {@code devices.capabilities.on_off}, {@code .range},
 *       {@code .color_setting}, {@code .mode}, {@code .toggle} (the full name, as the cloud wants it).</li>
 *   <li>{@code actions[i].state}: an object with a non-blank string {@code instance} and a
 *       {@code value}, whose shape depends on the type:
 *     <ul>
 *       <li>{@code on_off}: instance {@code on}; boolean value.</li>
 *       <li>{@code range}: instance {@code brightness}, {@code temperature}, {@code volume} or
 *           {@code channel}; numeric value. {@code brightness} is 0..100, or -100..100 when
 *           {@code relative} is true (a change, not a level); the other instances take any number.
 *           Optional {@code state.relative}: boolean.</li>
 *       <li>{@code color_setting}: instance {@code rgb} (integer 0..16777215), {@code hsv} (object
 *           with exactly the numbers {@code h} 0..360, {@code s} 0..100, {@code v} 0..100) or
 *           {@code temperature_k} (integer &gt; 0). An integer written with a fraction ({@code 255.0})
 *           is rejected.</li>
 *       <li>{@code mode}: any instance (e.g. {@code thermostat}, {@code fan_speed}); non-blank
 *           string value.</li>
 *       <li>{@code toggle}: any instance (e.g. {@code mute}, {@code pause}, {@code backlight});
 *           boolean value.</li>
 *     </ul>
 *   </li>
 *   <li>Keys the cloud does not know are rejected rather than forwarded: in a state anything but
 *       {@code instance}, {@code value} and (for {@code range} only) {@code relative}; in an action
 *       element anything but {@code type} and {@code state}.</li>
 *   <li>Two elements for the same capability type and instance are rejected (at the second
 *       element's {@code state.instance}): the device would get contradicting instructions in one
 *       call, and its per-capability results could not be told apart.</li>
 *   <li>Other top-level fields ({@code id}, {@code deadline}, ...) are not this planner's concern.</li>
 * </ul>
 *
 * <h2>Plan</h2>
 * One {@link PlannedCommand} for the device, first phase {@code HomeCloudAdapter.SEND}, payload
 * {@code {"actions":[..]}}: the elements as given (they passed the checks, so nothing is dropped).
 *
 * <p>Stateless and thread-safe.
 */
public class CapabilityActionPlanner implements ActionPlanner {

    public static final String KIND = HomeCloudAdapter.KIND;

    public static final String PREFIX = "devices.capabilities.";
    public static final List<String> TYPES = List.of(PREFIX + "on_off", PREFIX + "range", PREFIX + "color_setting",
            PREFIX + "mode", PREFIX + "toggle");
    public static final List<String> RANGE_INSTANCES = List.of("brightness", "temperature", "volume", "channel");
    public static final List<String> COLOR_INSTANCES = List.of("rgb", "hsv", "temperature_k");
    public static final long MAX_RGB = 0xFFFFFF;

    private static final Set<String> ELEMENT_KEYS = Set.of("type", "state");
    private static final int MAX_QUOTED_LENGTH = 64;

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<PlannedCommand> plan(JsonNode action) {
        JsonNode device = action.get("device");
        if (absent(device)) {
            throw invalid("device", "missing; a capability action needs the device id");
        }
        if (!device.isTextual() || device.textValue().isBlank()) {
            throw invalid("device", "must be a non-blank string");
        }
        JsonNode actions = action.get("actions");
        if (absent(actions)) {
            throw invalid("actions", "missing; a capability action needs at least one capability action");
        }
        if (!actions.isArray() || actions.isEmpty()) {
            throw invalid("actions", "must be a non-empty array of capability actions");
        }
        ArrayNode validated = nodes.arrayNode();
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < actions.size(); i++) {
            validated.add(element(actions.get(i), "actions[" + i + "]", seen));
        }
        ObjectNode payload = nodes.objectNode();
        payload.set("actions", validated);
        return List.of(new PlannedCommand(device.textValue().trim(), payload.toString(), HomeCloudAdapter.SEND));
    }

    private JsonNode element(JsonNode element, String at, Map<String, String> seen) {
        if (!element.isObject()) {
            throw invalid(at, "must be a JSON object with type and state");
        }
        JsonNode typeNode = element.get("type");
        if (absent(typeNode)) {
            throw invalid(at + ".type", "missing; one of " + String.join(", ", TYPES));
        }
        if (!typeNode.isTextual() || !TYPES.contains(typeNode.textValue())) {
            throw invalid(at + ".type", "unknown capability type " + quote(typeNode.asText()) + ", expected one of "
                    + String.join(", ", TYPES));
        }
        String type = typeNode.textValue().substring(PREFIX.length());

        String stateAt = at + ".state";
        JsonNode state = element.get("state");
        if (absent(state)) {
            throw invalid(stateAt, "missing; a capability action needs a state with instance and value");
        }
        if (!state.isObject()) {
            throw invalid(stateAt, "must be a JSON object with instance and value");
        }
        String instance = instance(state, type, stateAt + ".instance");
        JsonNode value = state.get("value");
        String valueAt = stateAt + ".value";
        if (absent(value)) {
            throw invalid(valueAt, "missing");
        }
        boolean relative = relative(state, type, stateAt + ".relative");
        switch (type) {
            case "on_off", "toggle" -> requireBoolean(value, valueAt, type, instance);
            case "range" -> range(value, valueAt, instance, relative);
            case "color_setting" -> color(value, valueAt, instance);
            case "mode" -> {
                if (!value.isTextual() || value.textValue().isBlank()) {
                    throw invalid(valueAt, "must be a non-blank string for mode/" + instance + ", got " + show(value));
                }
            }
            default -> throw new IllegalStateException(type);
        }
        for (String key : names(state)) {
            if (!key.equals("instance") && !key.equals("value") && !key.equals("relative")) {
                throw invalid(stateAt + "." + key, "unknown field; a state has instance, value"
                        + ("range".equals(type) ? " and optionally relative" : ""));
            }
        }
        for (String key : names(element)) {
            if (!ELEMENT_KEYS.contains(key)) {
                throw invalid(at + "." + key, "unknown field; a capability action has type and state");
            }
        }
        String firstAt = seen.putIfAbsent(type + "/" + instance, at);
        if (firstAt != null) {
            throw invalid(stateAt + ".instance", "duplicate: " + firstAt + " already sets " + type + "/" + instance);
        }
        return element.deepCopy();
    }

    private String instance(JsonNode state, String type, String at) {
        JsonNode instance = state.get("instance");
        if (absent(instance)) {
            throw invalid(at, "missing");
        }
        if (!instance.isTextual() || instance.textValue().isBlank()) {
            throw invalid(at, "must be a non-blank string");
        }
        String name = instance.textValue();
        switch (type) {
            case "on_off" -> {
                if (!name.equals("on")) {
                    throw invalid(at, "unknown instance " + quote(name) + " for on_off, expected on");
                }
            }
            case "range" -> {
                if (!RANGE_INSTANCES.contains(name)) {
                    throw invalid(at, "unknown instance " + quote(name) + " for range, expected one of "
                            + String.join(", ", RANGE_INSTANCES));
                }
            }
            case "color_setting" -> {
                if (!COLOR_INSTANCES.contains(name)) {
                    throw invalid(at, "unknown instance " + quote(name) + " for color_setting, expected one of "
                            + String.join(", ", COLOR_INSTANCES));
                }
            }
            default -> { } // mode and toggle: the device defines its instances
        }
        return name;
    }

    private boolean relative(JsonNode state, String type, String at) {
        JsonNode relative = state.get("relative");
        if (absent(relative)) {
            return false;
        }
        if (!"range".equals(type)) {
            throw invalid(at, "only allowed for range capabilities");
        }
        if (!relative.isBoolean()) {
            throw invalid(at, "must be a boolean");
        }
        return relative.booleanValue();
    }

    private void requireBoolean(JsonNode value, String at, String type, String instance) {
        if (!value.isBoolean()) {
            throw invalid(at, "must be a boolean for " + type + "/" + instance + ", got " + show(value));
        }
    }

    private void range(JsonNode value, String at, String instance, boolean relative) {
        if (!value.isNumber()) {
            throw invalid(at, "must be a number for range/" + instance + ", got " + show(value));
        }
        if ("brightness".equals(instance)) {
            double v = value.doubleValue();
            if (relative && (v < -100 || v > 100)) {
                throw invalid(at, "a relative brightness change must be from -100 to 100, got " + value.asText());
            }
            if (!relative && (v < 0 || v > 100)) {
                throw invalid(at, "brightness must be from 0 to 100, got " + value.asText());
            }
        }
    }

    private void color(JsonNode value, String at, String instance) {
        switch (instance) {
            case "rgb" -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()
                        || value.longValue() < 0 || value.longValue() > MAX_RGB) {
                    throw invalid(at, "must be an integer from 0 to 16777215 (0xFFFFFF) for rgb, got " + show(value));
                }
            }
            case "temperature_k" -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() <= 0) {
                    throw invalid(at, "must be a positive integer (kelvin) for temperature_k, got " + show(value));
                }
            }
            case "hsv" -> {
                if (!value.isObject()) {
                    throw invalid(at, "must be an object {\"h\":0..360,\"s\":0..100,\"v\":0..100} for hsv, got " + show(value));
                }
                component(value, at, "h", 360);
                component(value, at, "s", 100);
                component(value, at, "v", 100);
                for (String key : names(value)) {
                    if (!key.equals("h") && !key.equals("s") && !key.equals("v")) {
                        throw invalid(at + "." + key, "unknown field; hsv has h, s and v");
                    }
                }
            }
            default -> throw new IllegalStateException(instance);
        }
    }

    private void component(JsonNode hsv, String at, String name, int max) {
        JsonNode c = hsv.get(name);
        String cAt = at + "." + name;
        if (absent(c)) {
            throw invalid(cAt, "missing");
        }
        if (!c.isNumber() || c.doubleValue() < 0 || c.doubleValue() > max) {
            throw invalid(cAt, "must be a number from 0 to " + max + ", got " + show(c));
        }
    }

    private static List<String> names(JsonNode object) {
        return object.properties().stream().map(Map.Entry::getKey).toList();
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    /** The value as JSON text (a string keeps its quotes), abbreviated if very long. */
    private static String show(JsonNode value) {
        return abbreviate(value.toString());
    }

    private static String quote(String value) {
        return '"' + abbreviate(value) + '"';
    }

    private static String abbreviate(String value) {
        return value.length() > MAX_QUOTED_LENGTH ? value.substring(0, MAX_QUOTED_LENGTH) + "..." : value;
    }

    private static InvalidActionException invalid(String field, String reason) {
        return new InvalidActionException(field, reason);
    }
}
