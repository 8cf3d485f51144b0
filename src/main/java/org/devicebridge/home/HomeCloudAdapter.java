package org.devicebridge.home;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.CloudResponse;
import org.devicebridge.cloud.CommandOutcomes;
import org.devicebridge.cloud.LenientJson;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.StateChange;
import org.devicebridge.ledger.WorkQueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adapter of the home cloud's capability actions (docs/cloud-contracts.md section 4): several devices'
 * actions go in one call; the answer says, per device and capability, DONE or ERROR. A device
 * succeeds only when every one of its capabilities did; its result lists each capability.
 * <p>
 * A {@code 2xx} that does not tell what happened to a device (the body cut short or garbled, the
 * device missing from it or without capability results) leaves that device's outcome unknown: the
 * cloud may have applied its actions. Setting a state again is harmless, so those devices are sent
 * again, together; a device with a relative {@code range} change is not (it would apply twice) and
 * ends {@code Command Failure} with a reason saying its outcome is unknown.
 */
public class HomeCloudAdapter {

    public static final String KIND = "capability";
    public static final String SEND = "SEND";

    /** The cloud's action_result status and the state it means: the one table of it. */
    private static final Map<String, CommandState> RESULTS = Map.of(
            "DONE", CommandState.SUCCESS,
            "ERROR", CommandState.FAILURE);

    private static final String CHUNK = "chunk";
    private static final String SENDING = "sending the capability actions";

    private final String baseUrl;
    private final String token;
    private final int batchSize;
    private final Duration gather;
    private final Duration lease;
    private final Ledger ledger;
    private final WorkQueue workQueue;
    private final CommandStore commandStore;
    private final CallLog callLog;
    private final LedgerTransitions transitions;
    private final CloudCall call;
    private final CommandOutcomes outcomes;
    private final ObjectMapper mapper;

    /**
     * @param batchSize devices per call
     * @param gather    how long the first commands of a batch still being read wait for the rest, to share their call
     */
    public HomeCloudAdapter(String baseUrl, String token, int batchSize, Duration gather, Duration lease, Ledger ledger,
                            WorkQueue workQueue, CommandStore commandStore, CallLog callLog, LedgerTransitions transitions,
                            CloudCall call, CommandOutcomes outcomes, ObjectMapper mapper) {
        this.baseUrl = baseUrl == null ? null : baseUrl.replaceAll("/+$", "");
        this.token = token;
        this.batchSize = batchSize;
        this.gather = gather;
        this.lease = lease;
        this.ledger = ledger;
        this.workQueue = workQueue;
        this.commandStore = commandStore;
        this.callLog = callLog;
        this.transitions = transitions;
        this.call = call;
        this.outcomes = outcomes;
        this.mapper = mapper;
    }

    /** Due capability commands for one call, when a worker is free: at most one per device (a second waits for the next tick). */
    public List<CommandRecord> claimDue(int freeWorkers) {
        if (baseUrl == null || freeWorkers == 0) {
            return List.of();
        }
        List<CommandRecord> chunk = new ArrayList<>();
        Set<String> devices = new HashSet<>();
        for (CommandRecord c : workQueue.claimDue(KIND, batchSize, lease, gather)) {
            if (devices.add(c.device())) {
                chunk.add(c);
            } else {
                workQueue.release(c.id());
            }
        }
        return chunk;
    }

    public void prepareSend(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<CommandRecord> chunk = exchange.getIn().getBody(List.class);
        exchange.setProperty(CHUNK, chunk);
        ObjectNode body = mapper.createObjectNode();
        ArrayNode devices = body.putArray("devices");
        chunk.forEach(c -> devices.addObject().put("id", c.device()).set("actions", json(c.payload()).path("actions")));
        // written before the call is made, in one commit
        ledger.inTransaction(() -> chunk.forEach(c -> transitions.move(c.id(), StateChange.to(CommandState.INITIATED))));
        call.prepare(exchange, "POST", baseUrl + "/v1.0/devices/actions", token, body.toString());
    }

    public void recordSend(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<CommandRecord> chunk = exchange.getProperty(CHUNK, List.class);
        CloudResponse r = call.read(exchange);
        ledger.inTransaction(() -> record(chunk, r));
    }

    private void record(List<CommandRecord> chunk, CloudResponse r) {
        JsonNode answer = json(r.body());
        String requestId = answer.path("request_id").isTextual() ? answer.get("request_id").asText() : r.requestId();
        JsonNode parsed = r.ok() ? LenientJson.strict(mapper, r.body()).orElse(null) : null;
        String unreadable = !r.ok() ? null : parsed == null ? LenientJson.whyUnreadable(r.body())
                : !parsed.path("devices").isArray() ? "no devices list" : null;
        callLog.recordCalls(chunk.stream().map(CommandRecord::id).toList(), "capability-action", r.status(), requestId, r.durationMs(),
                outcomes.errorOf(r, unreadable));
        if (r.status() != null && r.status() == 404) {
            chunk.forEach(c -> outcomes.fail(c, "devices not found: " + r.describe() + outcomes.detail(r), null, requestId));
            return;
        }
        if (!r.ok()) {
            outcomes.failOrRetryChunk(chunk, r, SEND, SENDING, "the capability actions were refused");
            return;
        }
        Map<String, JsonNode> byDevice = new HashMap<>();
        answer.path("devices").forEach(d -> byDevice.put(d.path("id").asText(), d));
        List<CommandRecord> untold = new ArrayList<>();
        for (CommandRecord c : chunk) {
            JsonNode device = byDevice.get(c.device());
            if (device == null || device.path("capabilities").isEmpty()) {
                untold.add(c);
            } else {
                apply(c, device.path("capabilities"), requestId);
            }
        }
        if (!untold.isEmpty()) {
            unknownOutcome(untold, r, requestId, unreadable != null ? unreadable
                    : untold.size() + " of " + chunk.size() + " devices missing from it or without capability results");
        }
    }

    /**
     * Devices the answer did not tell about: sent again together, unless an action of theirs is a
     * relative change, which a second call would apply twice.
     */
    private void unknownOutcome(List<CommandRecord> untold, CloudResponse r, String requestId, String problem) {
        List<CommandRecord> again = new ArrayList<>();
        for (CommandRecord c : untold) {
            if (hasRelativeAction(c)) {
                outcomes.fail(c, "outcome unknown: " + outcomes.unreadable(r, problem) + "; not sent again, as its relative "
                        + "range change would apply twice: check the device", null, requestId);
            } else {
                again.add(c);
            }
        }
        outcomes.retryChunkUnreadable(again, r, SEND, SENDING, problem);
    }

    private boolean hasRelativeAction(CommandRecord c) {
        for (JsonNode action : json(c.payload()).path("actions")) {
            if (action.path("state").path("relative").asBoolean(false)) {
                return true;
            }
        }
        return false;
    }

    /** One device's capability results: its result lists each; it succeeds only if all did. */
    private void apply(CommandRecord c, JsonNode capabilities, String requestId) {
        ArrayNode detail = mapper.createArrayNode();
        List<String> errors = new ArrayList<>();
        for (JsonNode cap : capabilities) {
            JsonNode result = cap.path("state").path("action_result");
            String status = result.path("status").asText("");
            ObjectNode line = detail.addObject().put("type", cap.path("type").asText())
                    .put("instance", cap.path("state").path("instance").asText()).put("status", status);
            if (RESULTS.get(status) != CommandState.SUCCESS) {
                line.put("error_code", result.path("error_code").asText(null)).put("error_message", result.path("error_message").asText(null));
                errors.add(line.get("type").asText() + "/" + line.get("instance").asText() + ": " + status + " "
                        + result.path("error_code").asText("") + " " + result.path("error_message").asText(""));
            }
        }
        commandStore.saveResultDetail(c.id(), mapper.createObjectNode().set("capabilities", detail).toString());
        if (detail.isEmpty()) {
            outcomes.fail(c, "the home cloud reported no capability results for the device", null, requestId);
        } else if (errors.isEmpty()) {
            transitions.move(c.id(), new StateChange(CommandState.SUCCESS, "DONE", requestId, null));
        } else {
            transitions.move(c.id(), new StateChange(CommandState.FAILURE, "ERROR", requestId, String.join("; ", errors).trim()));
        }
    }

    private JsonNode json(String text) {
        return LenientJson.read(mapper, text);
    }
}
