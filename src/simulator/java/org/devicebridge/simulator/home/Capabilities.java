package org.devicebridge.simulator.home;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Set;

/**
 * The capability types, instances and value shapes of docs/cloud-contracts.md section 4.
 *
 * <ul>
 *   <li>{@code devices.capabilities.on_off}: instance {@code on}; value boolean.</li>
 *   <li>{@code devices.capabilities.range}: instances {@code brightness} (0..100; relative
 *       -100..100), {@code temperature} (any number), {@code volume} (number, absolute &gt;= 0),
 *       {@code channel} (integer, absolute &gt;= 0); optional {@code "relative"} boolean.</li>
 *   <li>{@code devices.capabilities.color_setting}: {@code rgb} integer 0..16777215, {@code hsv}
 *       object of exactly {@code h} (0..360), {@code s} and {@code v} (0..100) numbers,
 *       {@code temperature_k} positive integer.</li>
 *   <li>{@code devices.capabilities.mode}: any non-empty instance; value a non-empty string.</li>
 *   <li>{@code devices.capabilities.toggle}: any non-empty instance; value boolean.</li>
 * </ul>
 * An unknown type, or an instance outside these, is {@code INVALID_ACTION}; a wrong, missing or
 * out-of-range value, a {@code relative} outside {@code range}, or any other field in
 * {@code state} is {@code INVALID_VALUE}.
 */
final class Capabilities {

    static final String ON_OFF = "devices.capabilities.on_off";
    static final String RANGE = "devices.capabilities.range";
    static final String COLOR_SETTING = "devices.capabilities.color_setting";
    static final String MODE = "devices.capabilities.mode";
    static final String TOGGLE = "devices.capabilities.toggle";

    static final int RGB_MAX = 16_777_215;

    /** The known capability types. */
    static final Set<String> TYPES = Set.of(ON_OFF, RANGE, COLOR_SETTING, MODE, TOGGLE);

    private static final Set<String> RANGE_INSTANCES = Set.of("brightness", "temperature", "volume", "channel");
    private static final Set<String> COLOR_INSTANCES = Set.of("rgb", "hsv", "temperature_k");

    /** The verdict on one action: {@code null} code = valid. */
    record Verdict(String errorCode, String message) {
        static final Verdict OK = new Verdict(null, null);

        boolean ok() {
            return errorCode == null;
        }
    }

    private Capabilities() {
    }

    static Verdict check(String type, String instance, JsonNode state) {
        Verdict action = checkAction(type, instance);
        if (!action.ok()) {
            return action;
        }
        for (Iterator<String> names = state.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            boolean allowed = name.equals("instance") || name.equals("value")
                    || (name.equals("relative") && type.equals(RANGE));
            if (!allowed) {
                return invalidValue("unexpected field state." + name + " for " + type);
            }
        }
        JsonNode value = state.get("value");
        if (value == null || value.isNull()) {
            return invalidValue("state.value is required");
        }
        return switch (type) {
            case ON_OFF, TOGGLE -> value.isBoolean() ? Verdict.OK : invalidValue(instance + " takes a boolean");
            case MODE -> value.isTextual() && !value.asText().isEmpty() ? Verdict.OK
                    : invalidValue(instance + " takes a non-empty string");
            case RANGE -> checkRange(instance, value, state.get("relative"));
            case COLOR_SETTING -> checkColor(instance, value);
            default -> throw new IllegalStateException("unreachable: " + type);
        };
    }

    private static Verdict checkAction(String type, String instance) {
        boolean known = switch (type) {
            case ON_OFF -> instance.equals("on");
            case RANGE -> RANGE_INSTANCES.contains(instance);
            case COLOR_SETTING -> COLOR_INSTANCES.contains(instance);
            case MODE, TOGGLE -> !instance.isEmpty();
            default -> false;
        };
        if (known) {
            return Verdict.OK;
        }
        return new Verdict("INVALID_ACTION", TYPES.contains(type)
                ? "unknown instance " + instance + " of " + type
                : "unknown capability type " + type);
    }

    private static Verdict checkRange(String instance, JsonNode value, JsonNode relativeNode) {
        if (relativeNode != null && !relativeNode.isBoolean()) {
            return invalidValue("relative must be a boolean");
        }
        boolean relative = relativeNode != null && relativeNode.asBoolean();
        if (!value.isNumber()) {
            return invalidValue(instance + " takes a number");
        }
        double number = value.doubleValue();
        return switch (instance) {
            case "brightness" -> (relative ? number >= -100 && number <= 100 : number >= 0 && number <= 100)
                    ? Verdict.OK : invalidValue("brightness must be within " + (relative ? "-100..100" : "0..100"));
            case "temperature" -> Double.isFinite(number) ? Verdict.OK : invalidValue("temperature must be finite");
            case "volume" -> relative || number >= 0 ? Verdict.OK : invalidValue("volume must not be negative");
            case "channel" -> !value.isIntegralNumber() ? invalidValue("channel takes an integer")
                    : relative || number >= 0 ? Verdict.OK : invalidValue("channel must not be negative");
            default -> throw new IllegalStateException("unreachable: " + instance);
        };
    }

    private static Verdict checkColor(String instance, JsonNode value) {
        return switch (instance) {
            case "rgb" -> value.isIntegralNumber() && value.canConvertToLong()
                    && value.longValue() >= 0 && value.longValue() <= RGB_MAX
                    ? Verdict.OK : invalidValue("rgb takes an integer 0.." + RGB_MAX);
            case "hsv" -> checkHsv(value);
            case "temperature_k" -> value.isIntegralNumber() && value.canConvertToLong() && value.longValue() > 0
                    ? Verdict.OK : invalidValue("temperature_k takes a positive integer");
            default -> throw new IllegalStateException("unreachable: " + instance);
        };
    }

    private static Verdict checkHsv(JsonNode value) {
        if (!value.isObject() || value.size() != 3) {
            return invalidValue("hsv takes an object {h,s,v}");
        }
        JsonNode h = value.get("h");
        JsonNode s = value.get("s");
        JsonNode v = value.get("v");
        if (h == null || s == null || v == null || !h.isNumber() || !s.isNumber() || !v.isNumber()) {
            return invalidValue("hsv takes an object {h,s,v} of numbers");
        }
        if (h.doubleValue() < 0 || h.doubleValue() > 360 || s.doubleValue() < 0 || s.doubleValue() > 100
                || v.doubleValue() < 0 || v.doubleValue() > 100) {
            return invalidValue("hsv takes h 0..360, s 0..100, v 0..100");
        }
        return Verdict.OK;
    }

    private static Verdict invalidValue(String message) {
        return new Verdict("INVALID_VALUE", message);
    }
}
