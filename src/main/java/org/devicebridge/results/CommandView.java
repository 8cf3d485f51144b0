package org.devicebridge.results;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The one outward view of a command (docs/batch-format.md, "Out: results"): a result-file line, and the
 * status object every other output (events, API) builds on.
 */
public class CommandView {

    private final CallLog callLog;
    private final ObjectMapper mapper;
    private final org.devicebridge.ledger.LedgerReads reads;
    private final java.util.Set<String> simulatedKinds;

    public CommandView(CallLog callLog, ObjectMapper mapper) {
        this(callLog, null, mapper, java.util.Set.of());
    }

    /**
     * @param reads          the ledger's reads, for summaries
     * @param simulatedKinds the kinds of action whose cloud the built-in simulator stands in for: each
     *                       such command's line says {@code "simulated": true}
     */
    public CommandView(CallLog callLog, org.devicebridge.ledger.LedgerReads reads, ObjectMapper mapper, java.util.Set<String> simulatedKinds) {
        this.callLog = callLog;
        this.reads = reads;
        this.mapper = mapper;
        this.simulatedKinds = java.util.Set.copyOf(simulatedKinds);
    }

    /** A finished request's summary: its counts, how many of its actions were simulated and how many confirmed on the device. */
    public Summary summary(org.devicebridge.ledger.RequestRecord request) {
        Summary summary = Summary.of(request, reads.counts(request.id()));
        int[] simulated = {0};
        int[] confirmed = {0};
        reads.kindCounts(request.id()).forEach(k -> {
            if (simulatedKinds.contains(k.kind())) {
                simulated[0] += k.commands();
            }
            confirmed[0] += k.confirmed();
        });
        return summary.with(simulated[0], confirmed[0]);
    }

    public ObjectNode of(CommandRecord c) {
        return of(c, callLog.vendorRequestIds(c.id()));
    }

    /** The views of many commands (a page of a list), their vendor request ids read in one query. */
    public List<ObjectNode> of(List<CommandRecord> commands) {
        Map<String, List<String>> ids = vendorRequestIds(commands);
        return commands.stream().map(c -> of(c, ids.getOrDefault(c.id(), List.of()))).toList();
    }

    /** The vendor request ids of each of these commands (oldest first), in one query; a command without any is left out. */
    public Map<String, List<String>> vendorRequestIds(List<CommandRecord> commands) {
        return callLog.vendorRequestIds(commands.stream().map(CommandRecord::id).toList());
    }

    /** The vendor request ids of the command's calls, oldest first. */
    public List<String> vendorRequestIds(CommandRecord c) {
        return callLog.vendorRequestIds(c.id());
    }

    /** The view as a tree, with the command's vendor request ids already read: what {@link #write} writes. */
    public ObjectNode of(CommandRecord c, List<String> vendorRequestIds) {
        try (TokenBuffer buffer = new TokenBuffer(mapper, false)) {
            buffer.writeStartObject();
            write(buffer, c, vendorRequestIds);
            buffer.writeEndObject();
            return (ObjectNode) mapper.readTree(buffer.asParser(mapper));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the view's fields into the object {@code g} has open: the one definition of the view,
     * written straight to an answer (the status list) or into a tree ({@link #of}). The fields of
     * the command's result detail follow the view's own; one that would repeat a field of the view
     * or of the status object built on it ({@link #RESERVED}) is left out.
     */
    public void write(JsonGenerator g, CommandRecord c, List<String> vendorRequestIds) throws IOException {
        g.writeStringField("request_id", c.requestId());
        g.writeStringField("command_id", c.id());
        g.writeStringField("action_id", c.actionId());
        g.writeStringField("kind", c.kind());
        g.writeStringField("device", c.device());
        g.writeStringField("state", c.state().label());
        g.writeStringField("vendor_status", c.vendorStatus());
        g.writeStringField("reason", c.reason());
        if (simulatedKinds.contains(c.kind()) && !c.invalid()) {
            g.writeBooleanField("simulated", true);   // the built-in simulator stood in for its cloud: no real device was touched
        }
        g.writeArrayFieldStart("vendor_request_ids");
        for (String id : vendorRequestIds) {
            g.writeString(id);
        }
        g.writeEndArray();
        if (c.resultDetail() != null) {
            JsonNode detail = detail(c.resultDetail());
            if (detail instanceof ObjectNode fields) { // e.g. "capabilities": each one's outcome
                for (Map.Entry<String, JsonNode> f : fields.properties()) {
                    if (!RESERVED.contains(f.getKey())) {
                        g.writeFieldName(f.getKey());
                        g.writeTree(f.getValue());
                    }
                }
            } else {
                g.writeStringField("detail", c.resultDetail());
            }
        }
        g.writeStringField("created_at", text(c.createdAt()));
        g.writeStringField("finished_at", text(c.finishedAt()));
    }

    /**
     * The names of the view's fields and of those the status API adds to it ({@code StatusApi}):
     * a result detail cannot replace them.
     */
    public static final java.util.Set<String> RESERVED = java.util.Set.of("request_id", "command_id", "action_id", "kind", "device",
            "state", "vendor_status", "reason", "simulated", "vendor_request_ids", "detail", "created_at", "finished_at",
            "id", "internal", "command", "params", "not_before", "deadline_at", "updated_at", "transitions");

    private JsonNode detail(String text) {
        try {
            return mapper.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    /** The time as {@link Instant#toString()} writes it (ISO 8601 in UTC, the fraction in groups of three digits as needed), without its formatter. */
    public static String text(Instant t) {
        if (t == null) {
            return null;
        }
        long seconds = t.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) {
            return t.toString();
        }
        int nano = t.getNano();
        java.time.LocalDateTime d = java.time.LocalDateTime.ofEpochSecond(seconds, 0, java.time.ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(30);
        digits(b, d.getYear(), 4).append('-');
        digits(b, d.getMonthValue(), 2).append('-');
        digits(b, d.getDayOfMonth(), 2).append('T');
        digits(b, d.getHour(), 2).append(':');
        digits(b, d.getMinute(), 2).append(':');
        digits(b, d.getSecond(), 2);
        if (nano != 0) {
            b.append('.');
            if (nano % 1_000_000 == 0) {
                digits(b, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                digits(b, nano / 1000, 6);
            } else {
                digits(b, nano, 9);
            }
        }
        return b.append('Z').toString();
    }

    private static final long YEAR_10000 = 253_402_300_800L;

    private static StringBuilder digits(StringBuilder b, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }
}
