package org.devicebridge.simulator.access;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.simulator.SimulatorHttp;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The device's check of an uploaded Yonomi data file; the first problem is the rejection reason.
 * Credentials: {@code id} non-empty and unique, {@code credential} exactly 32 upper-case hex,
 * {@code active} ACTIVE/INACTIVE, {@code transportTechnology} and {@code function} non-empty,
 * {@code activation} before {@code expiration} (UTC {@code YYYY-MM-DDThh:mm:ss.sssZ}),
 * {@code primarySchedules} naming schedules of the file. Schedules: unique non-empty {@code id}.
 */
final class YonomiDataFile {

    private static final Pattern CODE = Pattern.compile("[0-9A-F]{32}");
    private static final Pattern UTC = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

    private YonomiDataFile() {
    }

    /** The first problem, or null when the device takes the file. */
    static String problem(byte[] body) {
        JsonNode root = SimulatorHttp.parseJsonOrNull(body);
        if (root == null || !root.isObject()) {
            return "malformed JSON: the data file must be a JSON object";
        }
        if (!root.path("credentials").isArray() || !root.path("schedules").isArray()) {
            return "credentials and schedules must be arrays";
        }
        Set<String> schedules = new HashSet<>();
        for (JsonNode s : root.get("schedules")) {
            if (s.path("id").asText("").isEmpty() || !schedules.add(s.path("id").asText())) {
                return "schedule id missing or repeated: " + s.path("id");
            }
        }
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (JsonNode c : root.get("credentials")) {
            String at = "credentials[" + i++ + "]";
            if (c.path("id").asText("").isEmpty() || !ids.add(c.path("id").asText())) {
                return at + ".id: missing or repeated";
            }
            if (!CODE.matcher(c.path("credential").asText("")).matches()) {
                return at + ".credential: not 32 upper-case hexadecimal characters";
            }
            if (!Set.of("ACTIVE", "INACTIVE").contains(c.path("active").asText(""))) {
                return at + ".active: must be ACTIVE or INACTIVE";
            }
            if (c.path("transportTechnology").asText("").isEmpty() || c.path("function").asText("").isEmpty()) {
                return at + ": transportTechnology and function are required";
            }
            Instant from = utc(c.path("activation").asText(""));
            Instant until = utc(c.path("expiration").asText(""));
            if (from == null || until == null || !from.isBefore(until)) {
                return at + ": activation and expiration must be UTC times, activation first";
            }
            for (JsonNode ref : c.path("primarySchedules")) {
                if (!schedules.contains(ref.path("id").asText(""))) {
                    return at + ".primarySchedules: unknown schedule " + ref.path("id");
                }
            }
        }
        return null;
    }

    private static Instant utc(String text) {
        if (!UTC.matcher(text).matches()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
