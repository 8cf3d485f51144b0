package org.devicebridge.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.RequestRecord;
import org.devicebridge.results.CommandView;
import org.devicebridge.results.Summary;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bodies of the bridge's outgoing events:
 * {@code {"event_id","event_type","occurred_at","data"}}, where {@code data} is the command's
 * status object ({@link CommandView}) for {@code COMMAND_STATUS_UPDATED}, and the request's
 * summary (as in {@code <name>.summary.json}) for {@code REQUEST_SUMMARY}.
 */
public class OutboundEvents {

    private final CommandStore commandStore;
    private final LedgerReads reads;
    private final CommandView view;
    private final ObjectMapper mapper;

    public OutboundEvents(CommandStore commandStore, LedgerReads reads, CommandView view, ObjectMapper mapper) {
        this.commandStore = commandStore;
        this.reads = reads;
        this.view = view;
        this.mapper = mapper;
    }

    /** The event of a delivery, or empty when what it announces is gone from the ledger. */
    Optional<ObjectNode> of(Delivery d, SubscriberLedger webhooks) {
        if (d.isSummary()) {
            return commandStore.request(d.requestId()).map(r -> requestSummary(d, r));
        }
        return webhooks.transition(d.transitionId()).flatMap(t -> commandStatusUpdated(d, t));
    }

    /**
     * The events of a round, by event id, their transitions, commands and vendor request ids read in
     * three queries in all, not three per event. An event whose transition or command is gone from
     * the ledger is left out; a summary is built as {@link #of} builds it.
     */
    Map<String, ObjectNode> ofAll(List<Delivery> deliveries, SubscriberLedger webhooks) {
        Map<String, ObjectNode> byEventId = new HashMap<>();
        Map<Long, SubscriberLedger.TransitionRow> transitions = webhooks.transitions(
                deliveries.stream().filter(d -> !d.isSummary()).map(Delivery::transitionId).toList());
        Map<String, CommandRecord> commands = commandStore.commands(
                transitions.values().stream().map(SubscriberLedger.TransitionRow::commandId).distinct().toList());
        Map<String, List<String>> vendorRequestIds = view.vendorRequestIds(List.copyOf(commands.values()));
        for (Delivery d : deliveries) {
            if (d.isSummary()) {
                of(d, webhooks).ifPresent(e -> byEventId.put(d.eventId(), e));
                continue;
            }
            SubscriberLedger.TransitionRow t = transitions.get(d.transitionId());
            CommandRecord command = t == null ? null : commands.get(t.commandId());
            if (command != null) {
                byEventId.put(d.eventId(), commandStatusUpdated(d, t, view.of(command, vendorRequestIds.getOrDefault(command.id(), List.of()))));
            }
        }
        return byEventId;
    }

    private Optional<ObjectNode> commandStatusUpdated(Delivery d, SubscriberLedger.TransitionRow t) {
        return commandStore.command(t.commandId()).map(c -> commandStatusUpdated(d, t, view.of(c)));
    }

    /**
     * A state change: the command's status object as of that transition. {@code state},
     * {@code previous_state}, {@code vendor_status}, {@code reason}, {@code updated_at} and
     * {@code finished_at} are the transition's; the rest (ids, device, vendor request ids, result
     * detail: {@code data} as given) is the command as the ledger knows it now.
     */
    private ObjectNode commandStatusUpdated(Delivery d, SubscriberLedger.TransitionRow t, ObjectNode data) {
        data.put("state", t.toState());
        data.put("previous_state", t.fromState());
        data.put("vendor_status", t.vendorStatus());
        data.put("reason", t.reason());
        data.put("updated_at", t.at().toString());
        boolean isFinal = CommandState.fromLabel(t.toState()).map(CommandState::isFinal).orElse(false);
        data.put("finished_at", isFinal ? t.at().toString() : null);
        return event(d, t.at(), data);
    }

    /** A finished request: its summary. */
    private ObjectNode requestSummary(Delivery d, RequestRecord request) {
        Summary summary = view.summary(request);
        return event(d, request.finishedAt(), summary.toJson(mapper));
    }

    private ObjectNode event(Delivery d, Instant occurredAt, JsonNode data) {
        ObjectNode n = mapper.createObjectNode();
        n.put("event_id", d.eventId());
        n.put("event_type", d.eventType());
        n.put("occurred_at", occurredAt == null ? null : occurredAt.toString());
        n.set("data", data);
        return n;
    }
}
