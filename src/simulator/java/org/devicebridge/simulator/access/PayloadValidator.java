package org.devicebridge.simulator.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.devicebridge.simulator.SimulatorHttp;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an uploaded credentials-and-schedules payload the way the device would.
 *
 * <p>Order of the checks (the first problem found is the rejection reason): the document
 * (valid JSON, an object, {@code credentials} and {@code schedules} arrays), then each
 * schedule in order, then each credential in order. Rules:
 * <ul>
 *   <li>schedule: object; {@code id} a non-empty string, unique; {@code timezone} accepted by
 *       {@link ZoneId#of}; {@code intervals} an array of objects with a non-empty {@code days}
 *       array of {@code MON..SUN}, {@code start} {@code HH:MM} in 00:00..23:59, {@code end}
 *       {@code HH:MM} in 00:00..23:59 or exactly {@code 24:00} (end of day), and start before end;</li>
 *   <li>credential: object; {@code id} exactly 32 upper-case hexadecimal characters, unique;
 *       {@code holder} absent, null or a string; {@code schedule_ids} an array of ids of schedules
 *       in the same payload; {@code valid_from}/{@code valid_until} absent, null or RFC3339.</li>
 * </ul>
 * Unknown fields are ignored.
 */
final class PayloadValidator {

    private static final Pattern CREDENTIAL_ID = Pattern.compile("[0-9A-F]{32}");
    private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
    private static final String END_OF_DAY = "24:00";
    private static final Set<String> DAYS = Set.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");

    /** Either the applied arrays (valid) or the reason (rejected). */
    record Result(String reason, ArrayNode credentials, ArrayNode schedules) {
        boolean valid() {
            return reason == null;
        }
    }

    /** Thrown internally at the first problem. */
    private static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message, null, false, false);
        }
    }

    Result validate(byte[] payload) {
        try {
            JsonNode root = parse(payload);
            ArrayNode credentials = requireArray(root, "credentials", "");
            ArrayNode schedules = requireArray(root, "schedules", "");
            Set<String> scheduleIds = new HashSet<>();
            for (int i = 0; i < schedules.size(); i++) {
                checkSchedule(schedules.get(i), "schedules[" + i + "]", scheduleIds);
            }
            Set<String> credentialIds = new HashSet<>();
            for (int i = 0; i < credentials.size(); i++) {
                checkCredential(credentials.get(i), "credentials[" + i + "]", scheduleIds, credentialIds);
            }
            return new Result(null, credentials, schedules);
        } catch (Problem problem) {
            return new Result(problem.getMessage(), null, null);
        }
    }

    private static JsonNode parse(byte[] payload) throws Problem {
        JsonNode root;
        try {
            root = SimulatorHttp.JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new Problem("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Problem("malformed JSON: unreadable payload");
        }
        if (root == null || root.isMissingNode()) {
            throw new Problem("malformed JSON: empty payload");
        }
        if (!root.isObject()) {
            throw new Problem("malformed document: the payload must be a JSON object");
        }
        return root;
    }

    private static void checkSchedule(JsonNode schedule, String path, Set<String> ids) throws Problem {
        requireObject(schedule, path);
        String id = requireText(schedule, "id", path);
        if (!ids.add(id)) {
            throw new Problem(path + ".id: duplicate schedule id \"" + id + "\"");
        }
        String zone = requireText(schedule, "timezone", path);
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new Problem(path + ".timezone: unknown time zone \"" + zone + "\"");
        }
        ArrayNode intervals = requireArray(schedule, "intervals", path);
        for (int i = 0; i < intervals.size(); i++) {
            checkInterval(intervals.get(i), path + ".intervals[" + i + "]");
        }
    }

    private static void checkInterval(JsonNode interval, String path) throws Problem {
        requireObject(interval, path);
        ArrayNode days = requireArray(interval, "days", path);
        if (days.isEmpty()) {
            throw new Problem(path + ".days: must name at least one day");
        }
        for (int i = 0; i < days.size(); i++) {
            JsonNode day = days.get(i);
            if (!day.isTextual() || !DAYS.contains(day.asText())) {
                throw new Problem(path + ".days[" + i + "]: unknown day " + day
                        + " (expected MON, TUE, WED, THU, FRI, SAT or SUN)");
            }
        }
        String start = requireText(interval, "start", path);
        if (!TIME.matcher(start).matches()) {
            throw new Problem(path + ".start: bad time \"" + start + "\" (expected HH:MM, 00:00..23:59)");
        }
        String end = requireText(interval, "end", path);
        if (!TIME.matcher(end).matches() && !END_OF_DAY.equals(end)) {
            throw new Problem(path + ".end: bad time \"" + end + "\" (expected HH:MM, 00:00..23:59 or 24:00)");
        }
        if (start.compareTo(end) >= 0) {
            throw new Problem(path + ": start " + start + " is not before end " + end);
        }
    }

    private static void checkCredential(JsonNode credential, String path, Set<String> scheduleIds,
                                        Set<String> credentialIds) throws Problem {
        requireObject(credential, path);
        String id = requireText(credential, "id", path);
        if (!CREDENTIAL_ID.matcher(id).matches()) {
            throw new Problem(path + ".id: bad credential id \"" + id
                    + "\" (expected exactly 32 upper-case hexadecimal characters, tail filled with F)");
        }
        if (!credentialIds.add(id)) {
            throw new Problem(path + ".id: duplicate credential id \"" + id + "\"");
        }
        JsonNode holder = credential.get("holder");
        if (holder != null && !holder.isNull() && !holder.isTextual()) {
            throw new Problem(path + ".holder: must be a string");
        }
        ArrayNode refs = requireArray(credential, "schedule_ids", path);
        for (int i = 0; i < refs.size(); i++) {
            JsonNode ref = refs.get(i);
            if (!ref.isTextual() || !scheduleIds.contains(ref.asText())) {
                throw new Problem(path + ".schedule_ids[" + i + "]: unknown schedule " + ref);
            }
        }
        checkOptionalTimestamp(credential, "valid_from", path);
        checkOptionalTimestamp(credential, "valid_until", path);
    }

    private static void checkOptionalTimestamp(JsonNode parent, String field, String path) throws Problem {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isTextual() || Times.parseRfc3339(value.asText()).isEmpty()) {
            throw new Problem(path + "." + field + ": bad timestamp " + value + " (expected RFC3339 or null)");
        }
    }

    private static void requireObject(JsonNode node, String path) throws Problem {
        if (!node.isObject()) {
            throw new Problem(path + ": must be an object");
        }
    }

    private static ArrayNode requireArray(JsonNode parent, String field, String path) throws Problem {
        JsonNode value = parent.get(field);
        if (value == null || !value.isArray()) {
            throw new Problem(qualified(path, field) + ": " + (value == null ? "missing" : "must be an") + " array");
        }
        return (ArrayNode) value;
    }

    private static String requireText(JsonNode parent, String field, String path) throws Problem {
        JsonNode value = parent.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new Problem(qualified(path, field) + ": must be a non-empty string");
        }
        return value.asText();
    }

    private static String qualified(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
