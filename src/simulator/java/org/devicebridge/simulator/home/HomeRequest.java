package org.devicebridge.simulator.home;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A structurally valid capability-action request (docs/cloud-contracts.md section 4). Structure errors
 * are a {@code 400}; what a capability asks for (type, instance, value) is judged per capability
 * by {@link Capabilities} and answered inside the {@code 200}.
 *
 * @param devices the device entries in request order (an id may repeat)
 */
record HomeRequest(List<DeviceActions> devices) {

    /** One device entry. */
    record DeviceActions(String id, List<Action> actions) {
    }

    /**
     * One capability action.
     *
     * @param type     the {@code type} as sent
     * @param instance {@code state.instance} as sent
     * @param state    the whole {@code state} object
     */
    record Action(String type, String instance, JsonNode state) {
    }

    private static final Set<String> BODY_FIELDS = Set.of("devices");
    private static final Set<String> DEVICE_FIELDS = Set.of("id", "actions");
    private static final Set<String> ACTION_FIELDS = Set.of("type", "state");

    /**
     * Checks the structure of a parsed body.
     *
     * @throws HomeApiException {@code 400} naming the first problem
     */
    static HomeRequest parse(JsonNode body) throws HomeApiException {
        if (body == null || !body.isObject()) {
            throw HomeApiException.badRequest("the body must be a JSON object");
        }
        requireKnownFields(body, BODY_FIELDS, "");
        JsonNode devices = body.get("devices");
        if (devices == null || !devices.isArray() || devices.isEmpty()) {
            throw HomeApiException.badRequest("devices must be a non-empty array");
        }
        List<DeviceActions> result = new ArrayList<>();
        for (int d = 0; d < devices.size(); d++) {
            String where = "devices[" + d + "]";
            JsonNode device = devices.get(d);
            if (!device.isObject()) {
                throw HomeApiException.badRequest(where + " must be an object");
            }
            requireKnownFields(device, DEVICE_FIELDS, where + ".");
            JsonNode id = device.get("id");
            if (id == null || !id.isTextual() || id.asText().isEmpty()) {
                throw HomeApiException.badRequest(where + ".id must be a non-empty string");
            }
            JsonNode actions = device.get("actions");
            if (actions == null || !actions.isArray() || actions.isEmpty()) {
                throw HomeApiException.badRequest(where + ".actions must be a non-empty array");
            }
            List<Action> parsed = new ArrayList<>();
            for (int a = 0; a < actions.size(); a++) {
                parsed.add(action(actions.get(a), where + ".actions[" + a + "]"));
            }
            result.add(new DeviceActions(id.asText(), List.copyOf(parsed)));
        }
        return new HomeRequest(List.copyOf(result));
    }

    private static Action action(JsonNode action, String where) throws HomeApiException {
        if (!action.isObject()) {
            throw HomeApiException.badRequest(where + " must be an object");
        }
        requireKnownFields(action, ACTION_FIELDS, where + ".");
        JsonNode type = action.get("type");
        if (type == null || !type.isTextual()) {
            throw HomeApiException.badRequest(where + ".type must be a string");
        }
        JsonNode state = action.get("state");
        if (state == null || !state.isObject()) {
            throw HomeApiException.badRequest(where + ".state must be an object");
        }
        JsonNode instance = state.get("instance");
        if (instance == null || !instance.isTextual()) {
            throw HomeApiException.badRequest(where + ".state.instance must be a string");
        }
        return new Action(type.asText(), instance.asText(), state.deepCopy());
    }

    private static void requireKnownFields(JsonNode object, Set<String> known, String prefix)
            throws HomeApiException {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw HomeApiException.badRequest("unknown field " + prefix + name);
            }
        }
    }
}
