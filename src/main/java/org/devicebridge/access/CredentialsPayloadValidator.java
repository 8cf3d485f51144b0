package org.devicebridge.access;

import org.devicebridge.intake.InvalidActionException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Pre-flight check of the access cloud's credentials-and-schedules payload (docs/cloud-contracts.md
 * section 2): everything the cloud would answer with a {@code REJECTED} action is caught here,
 * before the bridge creates an action and uploads the payload.
 *
 * <p>{@link #validateAndNormalize(JsonNode)} either returns a new, normalised payload or throws an
 * {@link InvalidActionException} naming the <em>first</em> problem. The input is never modified.
 *
 * <h2>Document</h2>
 * <ul>
 *   <li>The payload must be a JSON object.</li>
 *   <li>{@code credentials} is required and must be an array (it may be empty: the payload
 *       replaces the device's whole database, so an empty array revokes every credential).</li>
 *   <li>{@code schedules} may be left out and then counts as an empty array; if present (even as
 *       {@code null}) it must be an array.</li>
 *   <li>The result holds exactly {@code credentials} and {@code schedules}; other top-level fields
 *       are not part of the cloud's payload and are dropped. Inside credentials, schedules and
 *       intervals every field is kept as given (e.g. {@code holder}, {@code valid_from},
 *       {@code valid_until}), except for the normalisations listed below.</li>
 * </ul>
 *
 * <h2>Credentials</h2>
 * <ul>
 *   <li>Each element must be an object with a string {@code id}, normalised by
 *       {@link CredentialIdNormalizer} (trimmed, upper case, padded with {@code F} to 32); blank,
 *       non-hexadecimal and over-long ids are rejected.</li>
 *   <li>Two credentials whose ids are equal after normalisation are rejected (at the second).</li>
 *   <li>{@code schedule_ids} is optional (absent or {@code null}, normalised to {@code []}); otherwise an array of strings,
 *       each equal to the {@code id} of a schedule in {@code schedules}.</li>
 *   <li>{@code valid_from} and {@code valid_until} are optional (absent or {@code null}); otherwise
 *       RFC 3339 date-time strings ({@code 2026-01-01T00:00:00Z},
 *       {@code 2026-01-01T08:30:00.5+01:00}; seconds and an offset are required, leap seconds are
 *       not accepted). When both are given, {@code valid_from} must be strictly before
 *       {@code valid_until}. Their text is passed on unchanged.</li>
 * </ul>
 *
 * <h2>Schedules</h2>
 * <ul>
 *   <li>Each element must be an object with a non-blank string {@code id}, unique among the
 *       schedules (compared exactly, not trimmed or case-folded).</li>
 *   <li>{@code timezone} is required and must be accepted by {@link ZoneId#of(String)}
 *       (region ids such as {@code Europe/Berlin}, also {@code UTC} or {@code +01:00}).</li>
 *   <li>{@code intervals} is required and must be an array; it may be empty.</li>
 *   <li>Each interval is an object with {@code days}: a non-empty array of {@code MON TUE WED THU
 *       FRI SAT SUN}. Day names are accepted in any case and <strong>normalised to upper
 *       case</strong> in the result ({@code "mon"} becomes {@code "MON"}), like credential ids.</li>
 *   <li>{@code start} and {@code end} are strict {@code HH:MM} strings ({@code 00:00} to
 *       {@code 23:59}, two digits each) and {@code start} must be strictly before {@code end}; an
 *       interval cannot cross midnight (split it in two).</li>
 * </ul>
 *
 * <h2>Which problem is reported</h2>
 * The top level is checked first (payload is an object, {@code credentials} present, both arrays).
 * Then the {@code credentials} and {@code schedules} arrays are checked in the order in which they
 * appear in the document, their elements in array order, and within one element the fields in the
 * order listed above ({@code id}, {@code schedule_ids}, {@code valid_from}, {@code valid_until};
 * {@code id}, {@code timezone}, {@code intervals}; {@code days}, {@code start}, {@code end}). A
 * schedule reference is resolved against all schedule ids in the document, wherever they appear.
 * Pointers have the form {@code payload.schedules[0].intervals[1].days[2]}.
 *
 * <p>Stateless and thread-safe.
 */
public class CredentialsPayloadValidator implements CredentialsPayloadRules {

    private static final String ROOT = "payload";
    private static final List<String> DAYS = List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");
    private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendPattern("HH:mm:ss")
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
            .optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter(Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);
    private static final int MAX_QUOTED_LENGTH = 64;

    private final CredentialIdNormalizer idNormalizer;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    /** Creates a validator with its own {@link CredentialIdNormalizer}. */
    public CredentialsPayloadValidator() {
        this(new CredentialIdNormalizer());
    }

    /** @param idNormalizer normaliser for credential ids */
    public CredentialsPayloadValidator(CredentialIdNormalizer idNormalizer) {
        this.idNormalizer = idNormalizer;
    }

    /**
     * Checks a payload against the rules in the class description and normalises it.
     *
     * @param payload the payload as given by the caller (not modified)
     * @return a new {@code {"credentials":[..],"schedules":[..]}} ready to upload
     * @throws InvalidActionException for the first problem found
     */
    public JsonNode validateAndNormalize(JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            throw invalid(ROOT, "must be a JSON object");
        }
        JsonNode credentials = payload.get("credentials");
        if (credentials == null) {
            throw invalid(ROOT + ".credentials", "is required");
        }
        if (!credentials.isArray()) {
            throw invalid(ROOT + ".credentials", "must be an array");
        }
        JsonNode schedules = payload.get("schedules");
        if (schedules != null && !schedules.isArray()) {
            throw invalid(ROOT + ".schedules", "must be an array");
        }

        Set<String> scheduleIds = new HashSet<>();
        if (schedules != null) {
            for (JsonNode schedule : schedules) {
                JsonNode id = schedule.get("id");
                if (id != null && id.isTextual()) {
                    scheduleIds.add(id.textValue());
                }
            }
        }

        ArrayNode normalisedCredentials = null;
        ArrayNode normalisedSchedules = nodes.arrayNode();
        for (Iterator<String> names = payload.fieldNames(); names.hasNext(); ) {
            switch (names.next()) {
                case "credentials" -> normalisedCredentials = credentials(credentials, scheduleIds);
                case "schedules" -> normalisedSchedules = schedules(schedules);
                default -> { } // not part of the cloud's payload
            }
        }
        ObjectNode result = nodes.objectNode();
        result.set("credentials", normalisedCredentials);
        result.set("schedules", normalisedSchedules);
        return result;
    }

    private ArrayNode credentials(JsonNode credentials, Set<String> scheduleIds) {
        ArrayNode result = nodes.arrayNode();
        Map<String, String> seenIds = new HashMap<>();
        for (int i = 0; i < credentials.size(); i++) {
            result.add(credential(credentials.get(i), ROOT + ".credentials[" + i + "]", seenIds, scheduleIds));
        }
        return result;
    }

    private ObjectNode credential(JsonNode node, String at, Map<String, String> seenIds, Set<String> scheduleIds) {
        if (!node.isObject()) {
            throw invalid(at, "must be a JSON object");
        }
        ObjectNode result = ((ObjectNode) node).deepCopy();

        String idAt = at + ".id";
        String rawId = requiredString(node, "id", idAt);
        String id;
        try {
            id = idNormalizer.normalize(rawId);
        } catch (IllegalArgumentException e) {
            throw invalid(idAt, e.getMessage());
        }
        String firstAt = seenIds.putIfAbsent(id, idAt);
        if (firstAt != null) {
            throw invalid(idAt, "duplicate credential id " + id + " (same as " + firstAt + " after normalisation)");
        }
        result.put("id", id);

        JsonNode references = node.get("schedule_ids");
        if (references == null || references.isNull()) {
            result.putArray("schedule_ids"); // sent as an explicit empty list: a strict cloud wants the array
        } else {
            String refsAt = at + ".schedule_ids";
            if (!references.isArray()) {
                throw invalid(refsAt, "must be an array of schedule ids");
            }
            for (int k = 0; k < references.size(); k++) {
                JsonNode reference = references.get(k);
                String refAt = refsAt + "[" + k + "]";
                if (!reference.isTextual()) {
                    throw invalid(refAt, "must be a string");
                }
                if (!scheduleIds.contains(reference.textValue())) {
                    throw invalid(refAt, "unknown schedule " + quote(reference.textValue())
                            + " (not an id in payload.schedules)");
                }
            }
        }

        OffsetDateTime validFrom = optionalTimestamp(node, "valid_from", at + ".valid_from");
        OffsetDateTime validUntil = optionalTimestamp(node, "valid_until", at + ".valid_until");
        if (validFrom != null && validUntil != null && !validFrom.isBefore(validUntil)) {
            throw invalid(at + ".valid_until", "must be after valid_from (" + node.get("valid_from").textValue() + ")");
        }
        return result;
    }

    private ArrayNode schedules(JsonNode schedules) {
        ArrayNode result = nodes.arrayNode();
        Map<String, String> seenIds = new HashMap<>();
        for (int i = 0; i < schedules.size(); i++) {
            result.add(schedule(schedules.get(i), ROOT + ".schedules[" + i + "]", seenIds));
        }
        return result;
    }

    private ObjectNode schedule(JsonNode node, String at, Map<String, String> seenIds) {
        if (!node.isObject()) {
            throw invalid(at, "must be a JSON object");
        }
        ObjectNode result = ((ObjectNode) node).deepCopy();

        String idAt = at + ".id";
        String id = requiredString(node, "id", idAt);
        if (id.isBlank()) {
            throw invalid(idAt, "must not be blank");
        }
        String firstAt = seenIds.putIfAbsent(id, idAt);
        if (firstAt != null) {
            throw invalid(idAt, "duplicate schedule id " + quote(id) + " (same as " + firstAt + ")");
        }

        String zoneAt = at + ".timezone";
        String zone = requiredString(node, "timezone", zoneAt);
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw invalid(zoneAt, "unknown time zone " + quote(zone));
        }

        String intervalsAt = at + ".intervals";
        JsonNode intervals = node.get("intervals");
        if (intervals == null || intervals.isNull()) {
            throw invalid(intervalsAt, "is required (an empty array is allowed)");
        }
        if (!intervals.isArray()) {
            throw invalid(intervalsAt, "must be an array");
        }
        ArrayNode normalisedIntervals = result.putArray("intervals");
        for (int j = 0; j < intervals.size(); j++) {
            normalisedIntervals.add(interval(intervals.get(j), intervalsAt + "[" + j + "]"));
        }
        return result;
    }

    private ObjectNode interval(JsonNode node, String at) {
        if (!node.isObject()) {
            throw invalid(at, "must be a JSON object");
        }
        ObjectNode result = ((ObjectNode) node).deepCopy();

        String daysAt = at + ".days";
        JsonNode days = node.get("days");
        if (days == null || days.isNull()) {
            throw invalid(daysAt, "is required");
        }
        if (!days.isArray() || days.isEmpty()) {
            throw invalid(daysAt, "must be a non-empty array of " + String.join(" ", DAYS));
        }
        ArrayNode normalisedDays = result.putArray("days");
        for (int d = 0; d < days.size(); d++) {
            JsonNode day = days.get(d);
            String dayAt = daysAt + "[" + d + "]";
            if (!day.isTextual()) {
                throw invalid(dayAt, "must be a string, one of " + String.join(" ", DAYS));
            }
            String name = day.textValue().toUpperCase(Locale.ROOT);
            if (!DAYS.contains(name)) {
                throw invalid(dayAt, "unknown day " + quote(day.textValue()) + ", expected one of " + String.join(" ", DAYS));
            }
            normalisedDays.add(name);
        }

        String start = time(node, "start", at + ".start");
        String end = time(node, "end", at + ".end");
        if (start.compareTo(end) >= 0) { // fixed-width HH:MM compares like the time it denotes
            throw invalid(at + ".end", "must be after start (" + start + "); an interval cannot cross midnight");
        }
        return result;
    }

    private String time(JsonNode node, String name, String at) {
        String value = requiredString(node, name, at);
        if (!TIME.matcher(value).matches()) {
            throw invalid(at, "malformed time " + quote(value) + ", expected HH:MM from 00:00 to 23:59");
        }
        return value;
    }

    private OffsetDateTime optionalTimestamp(JsonNode node, String name, String at) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(at, "must be an RFC 3339 date-time string or null");
        }
        try {
            return OffsetDateTime.parse(value.textValue(), RFC3339);
        } catch (DateTimeParseException e) {
            throw invalid(at, "malformed date-time " + quote(value.textValue())
                    + ", expected RFC 3339 such as 2026-01-01T00:00:00Z");
        }
    }

    private String requiredString(JsonNode node, String name, String at) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw invalid(at, "is required");
        }
        if (!value.isTextual()) {
            throw invalid(at, "must be a string");
        }
        return value.textValue();
    }

    private String quote(String value) {
        String shown = value.length() > MAX_QUOTED_LENGTH ? value.substring(0, MAX_QUOTED_LENGTH) + "..." : value;
        return '"' + shown + '"';
    }

    private InvalidActionException invalid(String field, String reason) {
        return new InvalidActionException(field, reason);
    }
}
