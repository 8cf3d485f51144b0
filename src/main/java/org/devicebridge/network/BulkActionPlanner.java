package org.devicebridge.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.intake.ActionPlanner;
import org.devicebridge.intake.InvalidActionException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pre-flight and planning of {@code bulk} actions for the network cloud (docs/cloud-contracts.md section 3):
 * {@code {"kind":"bulk","type":"exempt","ids":["HW-1",..],"params":{"exempt_time":24}}} or the same
 * with {@code "macs":[..]}.
 *
 * <h2>Rules</h2>
 * Checked in this order; the first problem is reported as an {@link InvalidActionException} whose
 * field is a path within the action.
 * <ul>
 *   <li>{@code type}: required string, one of {@value #TYPE_LIST}.</li>
 *   <li>Exactly one of {@code ids} / {@code macs} (a {@code null} value counts as absent). Neither
 *       is reported at {@code ids}, both at {@code macs}.</li>
 *   <li>The one given is a non-empty array of non-blank strings ({@code ids[3]}: "must be a
 *       string" / "must not be blank"). HWIDs are trimmed; MACs are normalised by
 *       {@link MacAddressNormalizer} to {@code aa:bb:cc:dd:ee:ff}, an invalid one is reported at
 *       {@code macs[i]} with the value in the reason.</li>
 *   <li>Devices equal after normalisation are collapsed; the first occurrence keeps its place.</li>
 *   <li>{@code params}: optional ({@code null} counts as absent), otherwise a JSON object whose keys
 *       are checked in document order; an unknown key is reported at {@code params.<key>}. A key
 *       whose value is {@code null} counts as absent.
 *     <ul>
 *       <li>{@code exempt_time}: only for type {@code exempt} (rejected on any other type rather
 *           than silently dropped); an integer number of hours, {@code 0 <= n < 65000}, 0 meaning
 *           forever. A fraction such as {@code 24.5} or {@code 24.0}, or a string, is rejected.
 *           Without it the cloud's own default applies.</li>
 *       <li>{@code group_id}: only for type {@code assign_to_group}; a non-blank string, trimmed.
 *           Absent on {@code assign_to_group}, it is set to {@value #DEFAULT_GROUP}.</li>
 *     </ul>
 *   </li>
 *   <li>Other top-level fields ({@code id}, {@code deadline}, {@code device}, ...) are not this
 *       planner's concern and are ignored.</li>
 * </ul>
 *
 * <h2>Plan</h2>
 * One {@link PlannedCommand} per distinct device, in order, with first phase {@code NetworkCloudAdapter.SEND}: the
 * device is the trimmed HWID or the normalised MAC, the payload the compact JSON
 * {@code {"type":"exempt","id_kind":"ids","params":{"exempt_time":24}}} ({@code params} is {@code {}}
 * when there are none). The payload is the same string for every device of the action, so the
 * adapter can group devices into one cloud call (at most 100) by payload.
 *
 * <p>Stateless and thread-safe.
 */
public class BulkActionPlanner implements ActionPlanner {

    public static final String KIND = NetworkCloudAdapter.KIND;
    public static final String DEFAULT_GROUP = "default";
    public static final List<String> TYPES = List.of("delete", "renew_ip", "exempt", "unexempt", "re_identify",
            "assign_to_group");
    static final String TYPE_LIST = "delete, renew_ip, exempt, unexempt, re_identify, assign_to_group";
    /** {@code params.exempt_time} must be below this. */
    public static final long MAX_EXEMPT_TIME = 65000;

    private static final Map<String, String> PARAM_TYPES = Map.of("exempt_time", "exempt", "group_id", "assign_to_group");
    private static final int MAX_QUOTED_LENGTH = 64;

    private final MacAddressNormalizer macs;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    /** Creates a planner with its own {@link MacAddressNormalizer}. */
    public BulkActionPlanner() {
        this(new MacAddressNormalizer());
    }

    public BulkActionPlanner(MacAddressNormalizer macs) {
        this.macs = macs;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<PlannedCommand> plan(JsonNode action) {
        String type = type(action);
        String idKind = idKind(action);
        List<String> devices = devices(action.get(idKind), idKind);
        ObjectNode params = params(action.get("params"), type);

        ObjectNode payload = nodes.objectNode();
        payload.put("type", type);
        payload.put("id_kind", idKind);
        payload.set("params", params);
        String text = payload.toString();

        List<PlannedCommand> commands = new ArrayList<>(devices.size());
        for (String device : devices) {
            commands.add(new PlannedCommand(device, text, NetworkCloudAdapter.SEND));
        }
        return commands;
    }

    private String type(JsonNode action) {
        JsonNode type = action.get("type");
        if (absent(type)) {
            throw invalid("type", "missing; a bulk action needs one of " + TYPE_LIST);
        }
        if (!type.isTextual() || !TYPES.contains(type.textValue())) {
            throw invalid("type", "unknown type " + quote(type.asText()) + ", expected one of " + TYPE_LIST);
        }
        return type.textValue();
    }

    private String idKind(JsonNode action) {
        boolean ids = !absent(action.get("ids"));
        boolean macs = !absent(action.get("macs"));
        if (ids && macs) {
            throw invalid("macs", "not allowed together with ids; give exactly one of ids (HWIDs) or macs");
        }
        if (!ids && !macs) {
            throw invalid("ids", "missing; a bulk action needs exactly one of ids (HWIDs) or macs");
        }
        return ids ? "ids" : "macs";
    }

    private List<String> devices(JsonNode list, String idKind) {
        if (!list.isArray() || list.isEmpty()) {
            throw invalid(idKind, "must be a non-empty array of strings");
        }
        Set<String> devices = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode element = list.get(i);
            String at = idKind + "[" + i + "]";
            if (!element.isTextual()) {
                throw invalid(at, "must be a string");
            }
            if (element.textValue().isBlank()) {
                throw invalid(at, "must not be blank");
            }
            devices.add("ids".equals(idKind) ? element.textValue().trim() : mac(element.textValue(), at));
        }
        return List.copyOf(devices);
    }

    private String mac(String value, String at) {
        try {
            return macs.normalize(value);
        } catch (IllegalArgumentException e) {
            throw invalid(at, e.getMessage());
        }
    }

    private ObjectNode params(JsonNode params, String type) {
        ObjectNode result = nodes.objectNode();
        if (!absent(params)) {
            if (!params.isObject()) {
                throw invalid("params", "must be a JSON object");
            }
            for (Map.Entry<String, JsonNode> entry : params.properties()) {
                String key = entry.getKey();
                String at = "params." + key;
                String onlyFor = PARAM_TYPES.get(key);
                if (onlyFor == null) {
                    throw invalid(at, "unknown parameter; known: exempt_time (type exempt), group_id (type assign_to_group)");
                }
                if (absent(entry.getValue())) {
                    continue;
                }
                if (!onlyFor.equals(type)) {
                    throw invalid(at, "only allowed for type " + onlyFor + ", not for " + type);
                }
                if ("exempt_time".equals(key)) {
                    result.put(key, exemptTime(entry.getValue(), at));
                } else {
                    result.put(key, groupId(entry.getValue(), at));
                }
            }
        }
        if ("assign_to_group".equals(type) && !result.has("group_id")) {
            result.put("group_id", DEFAULT_GROUP);
        }
        return result;
    }

    private long exemptTime(JsonNode value, String at) {
        if (!value.isIntegralNumber()) {
            throw invalid(at, "must be a whole number of hours (0 = forever), got " + value);
        }
        if (!value.canConvertToLong() || value.longValue() < 0 || value.longValue() >= MAX_EXEMPT_TIME) {
            throw invalid(at, "must be from 0 (forever) to " + (MAX_EXEMPT_TIME - 1) + " hours, got " + value.asText());
        }
        return value.longValue();
    }

    private String groupId(JsonNode value, String at) {
        if (!value.isTextual()) {
            throw invalid(at, "must be a string");
        }
        if (value.textValue().isBlank()) {
            throw invalid(at, "must not be blank (leave it out for the default group)");
        }
        return value.textValue().trim();
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    private static String quote(String value) {
        String shown = value.length() > MAX_QUOTED_LENGTH ? value.substring(0, MAX_QUOTED_LENGTH) + "..." : value;
        return '"' + shown + '"';
    }

    private static InvalidActionException invalid(String field, String reason) {
        return new InvalidActionException(field, reason);
    }
}
