package org.devicebridge.simulator.network;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated bulk device action (docs/cloud-contracts.md section 3).
 *
 * @param type       one of {@link #TYPES}
 * @param devices    the HWIDs or MACs exactly as sent, in order, distinct
 * @param byMac      whether {@link #devices()} are MACs ({@code macs}) rather than HWIDs ({@code ids})
 * @param exemptTime {@code params.exempt_time} (hours, 0 = forever), {@code null} when absent
 * @param groupId    the target group of {@code assign_to_group} (default {@code "default"}), else {@code null}
 */
record NetworkRequest(String type, List<String> devices, boolean byMac, Integer exemptTime, String groupId) {

    /** The accepted {@code types} values. */
    static final List<String> TYPES = List.of("delete", "renew_ip", "exempt", "unexempt", "re_identify",
            "assign_to_group");
    /** {@code params.exempt_time} must be below this. */
    static final int EXEMPT_TIME_LIMIT = 65000;

    private static final Set<String> FIELDS = Set.of("types", "ids", "macs", "params");
    private static final Set<String> PARAMS = Set.of("exempt_time", "group_id");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    /**
     * Validates a parsed body.
     *
     * @param body       the parsed request body
     * @param maxDevices most devices allowed
     * @return the request
     * @throws NetworkApiException {@code 400} naming the first problem
     */
    static NetworkRequest parse(JsonNode body, int maxDevices) throws NetworkApiException {
        if (body == null || !body.isObject()) {
            throw bad("invalid_body", "the body must be a JSON object");
        }
        requireKnownFields(body, FIELDS, "");
        String type = type(body.get("types"));
        boolean hasIds = body.has("ids");
        boolean hasMacs = body.has("macs");
        if (hasIds && hasMacs) {
            throw bad("conflicting_parameters", "give either ids or macs, not both");
        }
        if (!hasIds && !hasMacs) {
            throw bad("missing_parameter", "ids or macs is required");
        }
        String field = hasIds ? "ids" : "macs";
        List<String> devices = devices(body.get(field), field, maxDevices);
        Integer exemptTime = null;
        String groupId = type.equals("assign_to_group") ? NetworkCloudSettings.DEFAULT_GROUP : null;
        JsonNode params = body.get("params");
        if (params != null) {
            if (!params.isObject()) {
                throw bad("invalid_parameter", "params must be a JSON object");
            }
            requireKnownFields(params, PARAMS, "params.");
            if (params.has("exempt_time")) {
                exemptTime = exemptTime(params.get("exempt_time"), type);
            }
            if (params.has("group_id")) {
                groupId = groupId(params.get("group_id"), type);
            }
        }
        return new NetworkRequest(type, devices, hasMacs, exemptTime, groupId);
    }

    private static String type(JsonNode types) throws NetworkApiException {
        if (types == null || types.isNull()) {
            throw bad("missing_parameter", "types is required");
        }
        if (!types.isTextual() || !TYPES.contains(types.asText())) {
            throw bad("invalid_type", "types must be one of " + String.join(", ", TYPES));
        }
        return types.asText();
    }

    private static List<String> devices(JsonNode list, String field, int maxDevices) throws NetworkApiException {
        if (list == null || !list.isArray()) {
            throw bad("invalid_parameter", field + " must be an array of strings");
        }
        if (list.isEmpty()) {
            throw bad("invalid_parameter", field + " must not be empty");
        }
        if (list.size() > maxDevices) {
            throw bad("too_many_devices", "at most " + maxDevices + " devices per request, got " + list.size());
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (!item.isTextual() || item.asText().isEmpty()) {
                throw bad("invalid_parameter", field + "[" + i + "] must be a non-empty string");
            }
            String device = item.asText();
            if (field.equals("macs") && !MAC.matcher(device).matches()) {
                throw bad("invalid_mac", "macs[" + i + "] must be a lower-case MAC address like aa:bb:cc:dd:ee:ff");
            }
            if (!seen.add(device)) {
                throw bad("duplicate_device", field + "[" + i + "] repeats an earlier device");
            }
        }
        return List.copyOf(seen);
    }

    private static Integer exemptTime(JsonNode value, String type) throws NetworkApiException {
        if (!type.equals("exempt")) {
            throw bad("invalid_parameter", "params.exempt_time applies only to types exempt");
        }
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()
                || value.intValue() < 0 || value.intValue() >= EXEMPT_TIME_LIMIT) {
            throw bad("invalid_exempt_time", "params.exempt_time must be an integer from 0 (forever) to "
                    + (EXEMPT_TIME_LIMIT - 1) + " hours");
        }
        return value.intValue();
    }

    private static String groupId(JsonNode value, String type) throws NetworkApiException {
        if (!type.equals("assign_to_group")) {
            throw bad("invalid_parameter", "params.group_id applies only to types assign_to_group");
        }
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw bad("invalid_group_id", "params.group_id must be a non-empty string");
        }
        return value.asText();
    }

    private static void requireKnownFields(JsonNode object, Set<String> known, String prefix)
            throws NetworkApiException {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw bad("unknown_parameter", "unknown parameter " + prefix + name);
            }
        }
    }

    private static NetworkApiException bad(String code, String message) {
        return NetworkApiException.badRequest(code, message);
    }
}
