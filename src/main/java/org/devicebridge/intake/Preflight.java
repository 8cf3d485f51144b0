package org.devicebridge.intake;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.NewCommand;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pre-flight and planning of one record, the same for every trigger and for {@code --dry-run}: the
 * record becomes the device commands the ledger records, or the reason it is rejected.
 * <p>
 * What every action is checked for here, before its kind's planner checks the rest: a known
 * {@code kind} (one whose cloud is configured, or {@code command}), no field its kind does not
 * have (naming it), no NUL character anywhere, an {@code id} and devices of at most 200
 * characters, {@code not_before} an RFC3339 time and {@code deadline} an RFC3339 time or an
 * ISO-8601 duration after it. {@code not_before} holds back an action of every kind: it waits as
 * {@code Command Scheduled} until then. A duration {@code deadline}, and the default one, count
 * from {@code not_before} when it is later than now, else from intake.
 */
public final class Preflight {

    /** Fields every action may carry. */
    static final List<String> COMMON_FIELDS = List.of("kind", "id", "not_before", "deadline");
    /** Fields of each kind beside the common ones (docs/batch-format.md). */
    static final Map<String, List<String>> KIND_FIELDS = Map.of(
            "credentials", List.of("device", "payload"),
            "bulk", List.of("type", "ids", "macs", "params"),
            "capability", List.of("device", "actions"),
            "command", List.of("device", "command", "params"));

    static final int MAX_ID = 200;
    static final int MAX_REASON = 2000;
    private static final int MAX_REF = 100;

    private final Map<String, ActionPlanner> planners;
    private final Duration defaultDeadline;

    public Preflight(List<ActionPlanner> planners, Duration defaultDeadline) {
        this.planners = planners.stream().collect(Collectors.toMap(ActionPlanner::kind, p -> p, (a, b) -> a, LinkedHashMap::new));
        this.defaultDeadline = defaultDeadline;
    }

    /**
     * The planner of a kind whose cloud the bridge does not drive (not configured, not simulated):
     * pre-flight refuses each of its actions with {@code reason} (naming the setting that is missing).
     */
    public static ActionPlanner refusing(String kind, String reason) {
        return new Refusing(kind, reason);
    }

    private record Refusing(String kind, String reason) implements ActionPlanner {
        @Override
        public List<PlannedCommand> plan(JsonNode action) {
            throw new InvalidActionException("kind", reason);
        }
    }

    /** The kinds of action taken in (one planner each). */
    public Set<String> kinds() {
        return planners.keySet();
    }

    /** What became of one record. */
    public sealed interface Outcome permits Planned, Invalid, Unreadable {
        BatchRecord record();
    }

    /** The record's device commands, ready for the ledger. */
    public record Planned(BatchRecord record, List<NewCommand> commands) implements Outcome {
    }

    /**
     * Rejected by pre-flight: recorded as one command ended {@code Command Failure} (invalid), with
     * the reason naming the record and the field; {@code reason} is the field's part alone.
     */
    public record Invalid(BatchRecord record, NewCommand failure, String reason) implements Outcome {
    }

    /** A record that cannot be read, or of no known kind: recorded as an intake error. */
    public record Unreadable(BatchRecord record, String reason) implements Outcome {
    }

    /** Pre-flight and planning of one record of the request, as if taken in at {@code now}. */
    public Outcome take(BatchRecord record, String requestId, Instant now) {
        if (!record.readable()) {
            return new Unreadable(record, clip(record.error(), MAX_REASON));
        }
        JsonNode action = record.action();
        JsonNode kindNode = action.get("kind");
        String kind = kindNode != null && kindNode.isTextual() ? kindNode.asText() : null;
        ActionPlanner planner = kind == null ? null : planners.get(kind);
        if (planner == null) {
            String reason = kindNode == null || kindNode.isNull() ? "kind: missing"
                    : kind == null ? "kind: must be a string"
                    : "kind: unknown kind '" + clip(kind.replace('\u0000', '?'), MAX_ID) + "' (known: " + planners.keySet() + ")";
            return new Unreadable(record, reason);
        }
        String actionId = null;
        try {
            if (planner instanceof Refusing refusing) {
                refusing.plan(action);   // a cloud the bridge does not drive: refused before anything else is checked
            }
            noNul(action, "");
            knownFields(action, kind);
            JsonNode id = action.get("id");
            if (id != null && !id.isNull()) {
                if (!id.isValueNode()) {
                    throw new InvalidActionException("id", "must be a string");
                }
                actionId = id.asText();
                if (actionId.length() > MAX_ID) {
                    throw new InvalidActionException("id", "at most " + MAX_ID + " characters");
                }
            }
            Instant notBefore = notBefore(action);
            Instant from = notBefore != null && notBefore.isAfter(now) ? notBefore : now;
            Instant deadline = deadline(action, from, defaultDeadline);
            if (notBefore != null && !deadline.isAfter(notBefore)) {
                throw new InvalidActionException("deadline", "'" + text(action, "deadline") + "' is not after not_before ("
                        + notBefore + ")");
            }
            List<ActionPlanner.PlannedCommand> planned = planner.plan(action);
            List<NewCommand> commands = new ArrayList<>(planned.size());
            for (int i = 0; i < planned.size(); i++) {
                ActionPlanner.PlannedCommand p = planned.get(i);
                if (p.device().length() > MAX_ID) {
                    throw new InvalidActionException("device", "device ids have at most " + MAX_ID + " characters");
                }
                boolean later = from.isAfter(now);
                commands.add(new NewCommand(commandId(requestId, record.seq(), i), requestId, record.seq(), i, ref(record),
                        actionId, kind, p.device(), later ? CommandState.SCHEDULED : CommandState.QUEUED, p.payload(),
                        p.firstPhase(), from, deadline, null));
            }
            return new Planned(record, commands);
        } catch (InvalidActionException e) {
            String reason = record.ref() + ": " + e.getMessage();
            JsonNode device = action.get("device");
            String deviceText = device == null || !device.isValueNode() ? "" : device.asText().replace('\u0000', '?');
            NewCommand failure = new NewCommand(commandId(requestId, record.seq(), 0), requestId, record.seq(), 0, ref(record),
                    clip(actionId == null ? null : actionId.replace('\u0000', '?'), MAX_ID), kind, clip(deviceText, MAX_ID),
                    CommandState.FAILURE, record.raw() == null ? null : record.raw().replace('\u0000', '?'), "DONE", null, null,
                    "invalid: " + clip(reason, MAX_REASON - 9));
            return new Invalid(record, failure, e.getMessage());
        }
    }

    /** Rejects a field the action's kind does not have, naming it and the fields it has. */
    private static void knownFields(JsonNode action, String kind) {
        List<String> own = KIND_FIELDS.get(kind);
        if (own == null) {
            return;  // a kind this table does not know yet: its planner alone decides
        }
        for (Iterator<String> names = action.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!COMMON_FIELDS.contains(name) && !own.contains(name)) {
                Set<String> known = new LinkedHashSet<>(COMMON_FIELDS);
                known.addAll(own);
                throw new InvalidActionException(clip(name, MAX_ID), "unknown field; a " + kind + " action has " + String.join(", ", known));
            }
        }
    }

    /** Rejects a NUL character in any name or text of the action (the ledger could not keep it, PostgreSQL refuses it). */
    private static void noNul(JsonNode node, String at) {
        if (node.isTextual()) {
            if (node.textValue().indexOf('\u0000') >= 0) {
                throw new InvalidActionException(at.isEmpty() ? "value" : at, "holds a NUL character");
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> f = fields.next();
                String name = at.isEmpty() ? f.getKey() : at + "." + f.getKey();
                if (f.getKey().indexOf('\u0000') >= 0) {
                    throw new InvalidActionException(clip(name.replace('\u0000', '?'), MAX_ID), "a field name holds a NUL character");
                }
                noNul(f.getValue(), name);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                noNul(node.get(i), at + "[" + i + "]");
            }
        }
    }

    /** The action's {@code not_before} (RFC3339), or null. */
    static Instant notBefore(JsonNode action) {
        JsonNode nb = action.get("not_before");
        if (nb == null || nb.isNull()) {
            return null;
        }
        if (!nb.isTextual()) {
            throw new InvalidActionException("not_before", "must be an RFC3339 time such as 2026-12-01T02:00:00Z");
        }
        try {
            return OffsetDateTime.parse(nb.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidActionException("not_before", "'" + clip(nb.asText(), MAX_ID) + "' is not an RFC3339 time");
        }
    }

    /**
     * The action's deadline: its own {@code deadline} (an ISO-8601 duration from {@code from}, or an
     * RFC3339 instant), else {@code defaultDeadline} from {@code from}.
     *
     * @throws InvalidActionException when {@code deadline} is neither
     */
    public static Instant deadline(JsonNode action, Instant from, Duration defaultDeadline) {
        JsonNode node = action.get("deadline");
        if (node == null || node.isNull()) {
            return from.plus(defaultDeadline);
        }
        String value = node.isValueNode() ? node.asText() : node.toString();
        try {
            if (!node.isTextual()) {
                throw new DateTimeParseException("not text", value, 0);
            }
            return value.startsWith("P") || value.startsWith("p") ? from.plus(Duration.parse(value))
                    : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new InvalidActionException("deadline", "'" + clip(value, MAX_ID) + "' is neither RFC3339 nor an ISO-8601 duration");
        }
    }

    /**
     * Deterministic command id: the same request and position always give the same id. Shaped like
     * a UUID (36 characters) but ordered: the first 8 hex of the request id's SHA-256, the record's
     * position (8 hex), the device's position within it (6 hex), then 10 hex of the SHA-256 of all
     * three. The commands of a request thus sort together in batch order, so the ledger's indexes on
     * the id (the primary key, the transitions' command id) grow at one end while a batch is written,
     * instead of touching a page of the whole index for each command.
     */
    public static String commandId(String requestId, int seq, int position) {
        String request = REQUEST_PREFIX.get().apply(requestId);
        String tail = sha256(requestId + "/" + seq + "/" + position);
        String s = String.format("%08x", seq);
        String p = String.format("%06x", position);
        return request + "-" + s.substring(0, 4) + "-" + s.substring(4) + "-" + p.substring(0, 4) + "-" + p.substring(4) + tail.substring(0, 10);
    }

    /** The first 8 hex of the request id's SHA-256, for the last request id asked about (one per thread). */
    private static final ThreadLocal<java.util.function.Function<String, String>> REQUEST_PREFIX = ThreadLocal.withInitial(() ->
            new java.util.function.Function<>() {
                private String last;
                private String prefix;

                @Override
                public String apply(String requestId) {
                    if (!requestId.equals(last)) {
                        prefix = sha256(requestId).substring(0, 8);
                        last = requestId;
                    }
                    return prefix;
                }
            });

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ref(BatchRecord record) {
        return clip(record.ref(), MAX_REF);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    static String clip(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max - 1) + "…";
    }
}
