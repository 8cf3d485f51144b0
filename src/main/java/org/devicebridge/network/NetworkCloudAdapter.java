package org.devicebridge.network;

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
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.Progress;
import org.devicebridge.ledger.RateLimiter;
import org.devicebridge.ledger.StateChange;
import org.devicebridge.ledger.WorkQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Adapter of the network cloud's bulk device action v3.0 (docs/cloud-contracts.md section 3): one call
 * applies one action type to up to 100 devices; the answer maps each device to 1 / 0 / -1.
 * <p>
 * The cloud allows 10 calls a minute per token. The budget lives in the ledger
 * ({@link RateLimiter}), so every trigger and every bridge instance shares it; a chunk is claimed
 * only together with a reserved slot, and work without a slot simply stays due in the ledger. The
 * slot is timed when the call leaves ({@link #takeSlot}), after the chunk's ledger writes, so the
 * window counts real send times however long those writes take. Chunks are taken from the
 * requests in turn ({@link WorkQueue#claimChunk}), so one huge batch cannot starve a small one. The
 * token travels in the URL, as the API demands: the URL is never logged or stored.
 * <p>
 * A chunk whose call failed transiently (no answer, {@code 429}, {@code 5xx}) is scheduled again
 * as one: all its devices at the same instant with one attempt count, so the next claim sends them
 * in one call again. So is every device a {@code 2xx} answer does not tell about (the body cut short
 * or garbled, or the device missing from it): the cloud may have applied the action, and the bulk
 * action sets a state (exempt, unexempt, assign_to_group) or asks for something the device does
 * anyway (renew_ip, re_identify), so sending it again is safe; only a {@code delete} already applied
 * may then answer {@code 0}, and its reason says so.
 */
public class NetworkCloudAdapter {

    public static final String KIND = "bulk";
    public static final String SEND = "SEND";
    /** Exchange property: the reserved slot was taken as the call left; false: it lapsed, and the chunk went back. */
    public static final String SLOT_TAKEN = "slotTaken";

    /** The cloud's per-device answer and the state it means: the one table of it. */
    private static final Map<Integer, Outcome> RESULTS = Map.of(
            1, new Outcome(CommandState.SUCCESS, "applied"),
            0, new Outcome(CommandState.FAILURE, "failed"),
            -1, new Outcome(CommandState.FAILURE, "not supported"));
    private static final String DELETE = "delete";

    private static final Logger LOG = LoggerFactory.getLogger(NetworkCloudAdapter.class);
    private static final String CHUNK = "chunk";
    private static final String SLOT = "rateSlot";

    private final String baseUrl;
    private final String token;
    private final int chunkSize;
    private final int rateLimit;
    private final Duration rateWindow;
    private final RateLimitEta eta;
    private final Duration lease;
    private final String budget;
    private final Ledger ledger;
    private final WorkQueue workQueue;
    private final CallLog callLog;
    private final LedgerTransitions transitions;
    private final RateLimiter rateLimiter;
    private final CloudCall call;
    private final CommandOutcomes outcomes;
    private final ObjectMapper mapper;
    /** "SIMULATED " when the built-in simulator stands in for the network cloud: every call's log line says so. */
    private volatile String simulatedMark = "";
    private final AtomicLong rateLimitWaits = new AtomicLong();

    /**
     * @param rateWindow the cloud's window plus a safety margin for clock skew and time in flight
     */
    public NetworkCloudAdapter(String baseUrl, String token, int chunkSize, int rateLimit, Duration rateWindow, Duration lease,
                               Ledger ledger, WorkQueue workQueue, CallLog callLog, LedgerTransitions transitions,
                               RateLimiter rateLimiter, CloudCall call,
                               CommandOutcomes outcomes, ObjectMapper mapper) {
        this.baseUrl = baseUrl == null ? null : baseUrl.replaceAll("/+$", "");
        this.token = token;
        this.chunkSize = chunkSize;
        this.rateLimit = rateLimit;
        this.rateWindow = rateWindow;
        this.eta = new RateLimitEta(rateLimit, rateWindow);
        this.lease = lease;
        this.budget = "network:" + fingerprint(token);
        this.ledger = ledger;
        this.workQueue = workQueue;
        this.callLog = callLog;
        this.transitions = transitions;
        this.rateLimiter = rateLimiter;
        this.call = call;
        this.outcomes = outcomes;
        this.mapper = mapper;
    }

    /** The built-in simulator stands in for the network cloud: each call's log line starts with SIMULATED. */
    public void markSimulated() {
        simulatedMark = "SIMULATED ";
    }

    /**
     * The next chunk of due devices (one request, one action type, at most {@code chunkSize}), when
     * the rate limit has a slot for it: the slot is reserved with the chunk, and held for it as long
     * as the chunk's lease. Otherwise (or when no worker is free to send it) nothing, and the work
     * waits in the ledger.
     */
    public List<CommandRecord> nextChunk(Exchange exchange, int freeWorkers) {
        if (baseUrl == null || freeWorkers == 0 || !workQueue.anyDue(KIND)) {
            return List.of();
        }
        RateLimiter.Reservation<CommandRecord> reserved = rateLimiter.reserve(budget, rateLimit, rateWindow, lease,
                () -> workQueue.claimChunk(KIND, chunkSize, lease));
        if (reserved.isEmpty()) {
            rateLimitWaits.incrementAndGet();
        } else {
            exchange.setProperty(SLOT, reserved.slot());
        }
        return reserved.work();
    }

    /**
     * The rate limit as the operator console shows it: calls in use of the budget now, and when the
     * last of {@code devices} queued bulk devices goes at best ({@link RateLimitEta}).
     */
    public Quota quota(int devices) {
        int calls = RateLimitEta.calls(devices, chunkSize);
        return new Quota(rateLimiter.used(budget, rateWindow), rateLimit, rateWindow, chunkSize, calls, eta.lastCallAfter(calls));
    }

    /** @param calls the calls {@code devices} queued devices need; {@code lastCallAfter} when the last of them goes, from now */
    public record Quota(int inUse, int limit, Duration window, int chunkSize, int calls, Duration lastCallAfter) {
    }

    /** How often due work found no free slot (a gauge of rate-limit pressure). */
    public long rateLimitWaits() {
        return rateLimitWaits.get();
    }

    public void prepareSend(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<CommandRecord> chunk = exchange.getIn().getBody(List.class);
        exchange.setProperty(CHUNK, chunk);
        JsonNode action = json(chunk.get(0).payload());
        ObjectNode body = mapper.createObjectNode();
        body.put("types", action.path("type").asText());
        ArrayNode devices = body.putArray(action.path("id_kind").asText("ids"));
        chunk.forEach(c -> devices.add(c.device()));
        if (action.path("params").size() > 0) {
            body.set("params", action.get("params"));
        }
        // written before the call is made, in one commit; the rate-limit slot is timed after it (takeSlot)
        ledger.inTransaction(() -> chunk.forEach(c -> transitions.move(c.id(), StateChange.to(CommandState.INITIATED))));
        call.prepare(exchange, "POST", baseUrl + "/v3/devices/action?access_token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8), null, body.toString());
    }

    /**
     * The call leaves now: its reserved slot is timed now, so the window counts from the real send
     * time. Sets {@value #SLOT_TAKEN}; when the reservation lapsed (held longer than the lease) the
     * slot may have gone to another call, so this one is not sent and the chunk goes back, due now.
     */
    public void takeSlot(Exchange exchange) {
        boolean taken = rateLimiter.markSent(budget, exchange.getProperty(SLOT, Long.class));
        exchange.setProperty(SLOT_TAKEN, taken);
        if (!taken) {
            @SuppressWarnings("unchecked")
            List<CommandRecord> chunk = exchange.getProperty(CHUNK, List.class);
            LOG.warn("bulk chunk of {} devices: its rate-limit slot lapsed before the call (held over {}); not sent, due again",
                    chunk.size(), lease);
            ledger.inTransaction(() -> chunk.forEach(c -> workQueue.saveProgress(c.id(), Progress.next(SEND, ledger.now())
                    .attempts(c.attempts()))));
        }
    }

    public void recordSend(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<CommandRecord> chunk = exchange.getProperty(CHUNK, List.class);
        CloudResponse r = call.read(exchange);
        ledger.inTransaction(() -> record(chunk, r));
    }

    private void record(List<CommandRecord> chunk, CloudResponse r) {
        String type = json(chunk.get(0).payload()).path("type").asText();
        JsonNode parsed = r.ok() ? LenientJson.strict(mapper, r.body()).orElse(null) : null;
        JsonNode answer = parsed != null && parsed.isObject() ? parsed : null;
        String unreadable = !r.ok() || answer != null ? null
                : parsed == null ? LenientJson.whyUnreadable(r.body()) : "not an object of devices";
        callLog.recordCalls(chunk.stream().map(CommandRecord::id).toList(), "bulk-action", r.status(), r.requestId(), r.durationMs(),
                outcomes.errorOf(r, unreadable));
        String doing = "sending the bulk action";
        if (!r.ok()) {
            LOG.info("{}bulk {} on {} devices: {} (request {})", simulatedMark, type, chunk.size(), r.describe(), chunk.get(0).requestId());
            outcomes.failOrRetryChunk(chunk, r, SEND, doing, "the bulk action was refused");
            return;
        }
        if (unreadable != null) {
            // the cloud took the call and may have applied it: the outcome is unknown, the whole chunk goes again in one call
            LOG.info("{}bulk {} on {} devices: {}: answer unreadable ({}); the chunk is sent again as one (request {})",
                    simulatedMark, type, chunk.size(), r.describe(), unreadable, chunk.get(0).requestId());
            outcomes.retryChunkUnreadable(chunk, r, SEND, doing, unreadable);
            return;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        RESULTS.keySet().stream().sorted(Comparator.reverseOrder()).forEach(v -> counts.put(RESULTS.get(v).label(), 0));
        List<CommandRecord> untold = new ArrayList<>();
        for (CommandRecord c : chunk) {
            JsonNode value = answer.get(c.device());
            Outcome outcome = value != null && value.canConvertToInt() ? RESULTS.get(value.asInt()) : null;
            if (outcome == null) {
                untold.add(c);
                continue;
            }
            counts.merge(outcome.label(), 1, Integer::sum);
            String reason = outcome.reason();
            if (DELETE.equals(type) && value.asInt() == 0 && c.attempts() > 0) {
                reason += " (sent again after an earlier call failed or its answer was lost: that call may have deleted the device already)";
            }
            transitions.move(c.id(), new StateChange(outcome.state(), value.asText(), r.requestId(), reason));
        }
        if (!untold.isEmpty()) {
            counts.put("not in the answer", untold.size());
            outcomes.retryChunkUnreadable(untold, r, SEND, doing, untold.size() + " of " + chunk.size()
                    + " devices missing from it or without 1, 0 or -1");
        }
        // one line per call; each device's own final state is logged at DEBUG (StateChangeLog)
        LOG.info("{}bulk {} on {} devices: {}: {} (request {})", simulatedMark, type, chunk.size(), r.describe(), counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")), chunk.get(0).requestId());
    }

    /**
     * Warns, once a request is taken in, when its bulk devices cannot all be sent before their
     * deadline under the rate limit, given the bulk work queued now (a cheap estimate that is never
     * too pessimistic, {@link RateLimitEta}): those not sent by then end {@code Command TimeOut}
     * without having been sent.
     */
    public void warnIfDeadlineComesFirst(String requestId) {
        if (baseUrl == null) {
            return;
        }
        List<WorkQueue.Backlog> backlog = workQueue.backlog(KIND);
        WorkQueue.Backlog own = backlog.stream().filter(b -> b.requestId().equals(requestId)).findFirst().orElse(null);
        if (own == null || own.earliestDeadline() == null) {
            return;
        }
        int calls = RateLimitEta.calls(own.commands(), chunkSize);
        List<Integer> others = backlog.stream().filter(b -> b != own).map(b -> RateLimitEta.calls(b.commands(), chunkSize)).toList();
        Duration lastCall = eta.lastCallAfter(calls, others);
        if (ledger.now().plus(lastCall).isAfter(own.earliestDeadline())) {
            LOG.warn("request {}: its {} bulk devices cannot all be sent before their deadline {}: they need {} calls{}, and at {} calls "
                            + "per {} s the last goes in {} at the earliest; devices not sent by then end Command TimeOut unsent. "
                            + "Give the actions a later \"deadline\" or raise bridge.action.deadline",
                    requestId, own.commands(), own.earliestDeadline(), calls,
                    others.isEmpty() ? "" : ", taking turns with " + others.stream().mapToInt(Integer::intValue).sum()
                            + " calls other requests still need", rateLimit, RateLimitEta.seconds(rateWindow), RateLimitEta.describe(lastCall));
        }
    }

    private JsonNode json(String text) {
        return LenientJson.read(mapper, text);
    }

    /** A short, one-way name for a token's budget: the ledger never holds the token itself. */
    static String fingerprint(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.valueOf(token).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param label how the answer is counted in the call's log line; also a failure's reason */
    private record Outcome(CommandState state, String label) {
        String reason() {
            return state == CommandState.SUCCESS ? null : label;
        }
    }
}
