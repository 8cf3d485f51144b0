package org.devicebridge.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.intake.InvalidActionException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Pre-flight of the Yonomi data file, {@code {"credentials": [...], "schedules": [...]}}, which
 * replaces the device's whole database. Each problem names the record and the field, e.g.
 * {@code payload.credentials[3].expiration: before activation (2026-01-01T00:00:00.000Z)}.
 *
 * <h2>Credentials</h2>
 * <ul>
 *   <li>{@code id}: a non-empty string, unique in the file (the access-control system's own id);</li>
 *   <li>{@code credential}: hexadecimal, at most 32 characters; <strong>normalised</strong> to upper
 *       case and padded on the right with {@code F} to exactly 32 ({@link CredentialIdNormalizer}),
 *       unique after that;</li>
 *   <li>{@code active}: {@code ACTIVE} or {@code INACTIVE};</li>
 *   <li>{@code transportTechnology} (e.g. {@code PROX}) and {@code function} (e.g. {@code NORMAL}):
 *       non-empty strings;</li>
 *   <li>{@code activation} and {@code expiration}: UTC as {@code YYYY-MM-DDThh:mm:ss.sssZ}, the
 *       activation before the expiration;</li>
 *   <li>{@code primarySchedules}: an array of {@code {"id": "<schedule id>"}}, each naming a schedule
 *       of the file (absent counts as empty).</li>
 * </ul>
 *
 * <h2>Schedules</h2>
 * Each is an object with a non-empty, unique {@code id}; {@code schedules} may be left out (no
 * schedules). Their other fields (the Always Active, Temporary and Recurring kinds) are not
 * published in a form to check, so they pass through unchanged, as do other fields of credentials.
 * Other top-level fields are dropped.
 * <p>
 * The first problem found is reported: the top level, then the schedules, then the credentials in
 * file order, within a credential the fields in the order above. Stateless and thread-safe.
 */
public class YonomiDataFileValidator implements CredentialsPayloadRules {

    private static final String ROOT = "payload";
    private static final Pattern UTC_MILLIS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    private static final Set<String> ACTIVE = Set.of("ACTIVE", "INACTIVE");

    private final CredentialIdNormalizer codes = new CredentialIdNormalizer();
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    @Override
    public JsonNode validateAndNormalize(JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            throw invalid(ROOT, "must be a JSON object {\"credentials\": [...], \"schedules\": [...]}");
        }
        JsonNode credentials = payload.get("credentials");
        if (credentials == null || !credentials.isArray()) {
            throw invalid(ROOT + ".credentials", credentials == null ? "is required" : "must be an array");
        }
        JsonNode schedules = payload.get("schedules");
        if (schedules != null && !schedules.isArray()) {
            throw invalid(ROOT + ".schedules", "must be an array");
        }
        ArrayNode outSchedules = nodes.arrayNode();
        Set<String> scheduleIds = new HashSet<>();
        if (schedules != null) {
            for (int i = 0; i < schedules.size(); i++) {
                String at = ROOT + ".schedules[" + i + "]";
                JsonNode schedule = schedules.get(i);
                if (!schedule.isObject()) {
                    throw invalid(at, "must be a JSON object");
                }
                String id = text(schedule, "id", at);
                if (!scheduleIds.add(id)) {
                    throw invalid(at + ".id", "duplicate schedule id \"" + id + "\"");
                }
                outSchedules.add(schedule.deepCopy());
            }
        }
        ArrayNode outCredentials = nodes.arrayNode();
        Map<String, String> ids = new HashMap<>();
        Map<String, String> codesSeen = new HashMap<>();
        for (int i = 0; i < credentials.size(); i++) {
            outCredentials.add(credential(credentials.get(i), ROOT + ".credentials[" + i + "]", ids, codesSeen, scheduleIds));
        }
        ObjectNode result = nodes.objectNode();
        result.set("credentials", outCredentials);
        result.set("schedules", outSchedules);
        return result;
    }

    private ObjectNode credential(JsonNode node, String at, Map<String, String> ids, Map<String, String> codesSeen,
                                  Set<String> scheduleIds) {
        if (!node.isObject()) {
            throw invalid(at, "must be a JSON object");
        }
        ObjectNode out = ((ObjectNode) node).deepCopy();
        String id = text(node, "id", at);
        String first = ids.putIfAbsent(id, at + ".id");
        if (first != null) {
            throw invalid(at + ".id", "duplicate credential id \"" + id + "\" (same as " + first + ")");
        }
        String code;
        try {
            code = codes.normalize(text(node, "credential", at));
        } catch (IllegalArgumentException e) {
            throw invalid(at + ".credential", e.getMessage().replace("credential id", "credential code"));
        }
        first = codesSeen.putIfAbsent(code, at + ".credential");
        if (first != null) {
            throw invalid(at + ".credential", "duplicate credential code " + code + " (same as " + first + " after padding)");
        }
        out.put("credential", code);
        String active = text(node, "active", at);
        if (!ACTIVE.contains(active)) {
            throw invalid(at + ".active", "must be ACTIVE or INACTIVE, not \"" + active + "\"");
        }
        text(node, "transportTechnology", at);
        text(node, "function", at);
        Instant activation = utc(node, "activation", at);
        Instant expiration = utc(node, "expiration", at);
        if (!expiration.isAfter(activation)) {
            throw invalid(at + ".expiration", (expiration.equals(activation) ? "same as activation" : "before activation")
                    + " (" + node.get("activation").asText() + ")");
        }
        JsonNode primary = node.get("primarySchedules");
        if (primary == null || primary.isNull()) {
            out.putArray("primarySchedules");
        } else if (!primary.isArray()) {
            throw invalid(at + ".primarySchedules", "must be an array of {\"id\": \"<schedule id>\"}");
        } else {
            for (int k = 0; k < primary.size(); k++) {
                String refAt = at + ".primarySchedules[" + k + "]";
                if (!primary.get(k).isObject()) {
                    throw invalid(refAt, "must be {\"id\": \"<schedule id>\"}");
                }
                String ref = text(primary.get(k), "id", refAt);
                if (!scheduleIds.contains(ref)) {
                    throw invalid(refAt + ".id", "unknown schedule \"" + ref + "\" (not an id in payload.schedules)");
                }
            }
        }
        return out;
    }

    private static Instant utc(JsonNode node, String field, String at) {
        String value = text(node, field, at);
        if (!UTC_MILLIS.matcher(value).matches()) {
            throw invalid(at + "." + field, "\"" + value + "\" is not UTC as YYYY-MM-DDThh:mm:ss.sssZ");
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw invalid(at + "." + field, "\"" + value + "\" is no date and time");
        }
    }

    private static String text(JsonNode node, String field, String at) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw invalid(at + "." + field, "is required");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw invalid(at + "." + field, "must be a non-empty string");
        }
        return value.asText();
    }

    private static InvalidActionException invalid(String field, String reason) {
        return new InvalidActionException(field, reason);
    }
}
