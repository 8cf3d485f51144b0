package org.devicebridge.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandRecord;

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
        Map<String, List<String>> ids = callLog.vendorRequestIds(commands.stream().map(CommandRecord::id).toList());
        return commands.stream().map(c -> of(c, ids.getOrDefault(c.id(), List.of()))).toList();
    }

    private ObjectNode of(CommandRecord c, List<String> vendorRequestIds) {
        ObjectNode n = mapper.createObjectNode();
        n.put("request_id", c.requestId());
        n.put("command_id", c.id());
        n.put("action_id", c.actionId());
        n.put("kind", c.kind());
        n.put("device", c.device());
        n.put("state", c.state().label());
        n.put("vendor_status", c.vendorStatus());
        n.put("reason", c.reason());
        if (simulatedKinds.contains(c.kind()) && !c.invalid()) {
            n.put("simulated", true);   // the built-in simulator stood in for its cloud: no real device was touched
        }
        var ids = n.putArray("vendor_request_ids");
        vendorRequestIds.forEach(ids::add);
        if (c.resultDetail() != null) {
            try {
                n.setAll((ObjectNode) mapper.readTree(c.resultDetail())); // e.g. "capabilities": each one's outcome
            } catch (com.fasterxml.jackson.core.JsonProcessingException | ClassCastException e) {
                n.put("detail", c.resultDetail());
            }
        }
        n.put("created_at", text(c.createdAt()));
        n.put("finished_at", text(c.finishedAt()));
        return n;
    }

    static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
