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

    public CommandView(CallLog callLog, ObjectMapper mapper) {
        this.callLog = callLog;
        this.mapper = mapper;
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
