package org.devicebridge.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.devicebridge.cloud.BackoffSchedule;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.CommandOutcomes;
import org.devicebridge.cloud.LenientJson;
import org.devicebridge.cloud.CloudResponse;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.Progress;
import org.devicebridge.ledger.StateChange;
import org.devicebridge.ledger.WorkQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Adapter of the access cloud's two-step action (docs/cloud-contracts.md section 2): create the action,
 * PUT the payload to its pre-authorised upload URL, then poll until RESOLVED or REJECTED.
 * <p>
 * The route {@code two-step-action.yaml} makes the calls; this class prepares each request and
 * records each answer in the ledger before the next call. A command's next step is its
 * {@code phase} ({@value #CREATE}, {@value #UPLOAD}, {@value #POLL}); when it is due is its
 * {@code next_attempt_at}. Nothing waits in a thread.
 * <p>
 * Before a create or an upload is sent, the phase becomes {@value #CREATE_SENT} /
 * {@value #UPLOAD_SENT}, written by the claim that takes the step, in the statement that leases it;
 * recording the answer moves it on. A command found in one of those phases
 * lost its answer (the process died mid-call, or the call timed out): instead of repeating the call
 * blindly, the bridge first looks for the action it may have created, or polls the one it may have
 * fed, so a crash never makes a second action or a second upload.
 * <p>
 * A {@code 2xx} whose body cannot be read (cut short, garbled, or without what the call answers)
 * is treated the same way: the cloud took the call, only its answer was lost. A create whose answer
 * has no readable id and upload URL goes to {@value #CREATE_SENT} (its action is looked up and
 * adopted), an upload to {@value #UPLOAD_SENT} (the action is polled), an unreadable poll or lookup
 * is made again. Each counts as an attempt, so {@code bridge.retry.max-attempts} bounds them.
 */
public class AccessCloudAdapter {

    public static final String CREATE = "CREATE";
    /** A create was sent and its answer never recorded: look for the action before creating another. */
    public static final String CREATE_SENT = "CREATE_SENT";
    public static final String UPLOAD = "UPLOAD";
    /** An upload was sent and its answer never recorded: poll the action to learn whether it arrived. */
    public static final String UPLOAD_SENT = "UPLOAD_SENT";
    public static final String POLL = "POLL";
    public static final String ACTION_TYPE = "UPDATE_CREDENTIALS_AND_SCHEDULES";
    /** Calls not repeated blindly: claimed as "sent" in the claim's own statement, before the call leaves. */
    private static final java.util.Map<String, String> SENT = java.util.Map.of(CREATE, CREATE_SENT, UPLOAD, UPLOAD_SENT);

    private static final Logger LOG = LoggerFactory.getLogger(AccessCloudAdapter.class);
    private static final String COMMAND = "command";

    private final String baseUrl;
    private final String apiKey;
    private final int maxRecreates;
    private final int batchSize;
    private final Duration lease;
    private final Ledger ledger;
    private final WorkQueue workQueue;
    private final CommandStore commandStore;
    private final CallLog callLog;
    private final LedgerTransitions transitions;
    private final CloudCall call;
    private final BackoffSchedule backoff;
    private final CommandOutcomes outcomes;
    private final Redactor redactor;
    private final ObjectMapper mapper;

    public AccessCloudAdapter(String baseUrl, String apiKey, int maxRecreates, int batchSize, Duration lease, Ledger ledger, WorkQueue workQueue,
                              CommandStore commandStore, CallLog callLog, LedgerTransitions transitions,
                              CloudCall call, BackoffSchedule backoff, CommandOutcomes outcomes, Redactor redactor,
                              ObjectMapper mapper) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
        this.maxRecreates = maxRecreates;
        this.batchSize = batchSize;
        this.lease = lease;
        this.ledger = ledger;
        this.workQueue = workQueue;
        this.commandStore = commandStore;
        this.callLog = callLog;
        this.transitions = transitions;
        this.call = call;
        this.backoff = backoff;
        this.outcomes = outcomes;
        this.redactor = redactor;
        this.mapper = mapper;
    }

    /**
     * The credentials commands whose next step is due, leased to this poller: at most one per free
     * worker ({@code free}), and at most one batch.
     */
    public List<CommandRecord> claimDue(int free) {
        return workQueue.claimDue(CredentialsActionPlanner.KIND, Math.min(free, batchSize), lease, Duration.ZERO, SENT);
    }

    /** A command whose phase no step of this adapter takes (a ledger edited by hand, a newer version's phase). */
    public void unknownPhase(Exchange exchange) {
        CommandRecord c = exchange.getIn().getBody(CommandRecord.class);
        fail(c, "the bridge has no step for phase '" + c.phase() + "' of an access-cloud action", null, null);
    }

    // ------------------------------------------------------------- step 1a: create the action

    public void prepareCreate(Exchange exchange) {
        CommandRecord c = remember(exchange); // the claim stored CREATE_SENT before this call
        call.prepare(exchange, "POST", baseUrl + "/v1/devices/" + encode(c.device()) + "/actions", apiKey,
                "{\"type\":\"" + ACTION_TYPE + "\"}");
    }

    public void recordCreate(Exchange exchange) {
        CommandRecord c = command(exchange);
        CloudResponse r = call.read(exchange);
        JsonNode action = r.ok() ? strictJson(r.body()) : null;
        String unreadable = !r.ok() ? null : action == null ? LenientJson.whyUnreadable(r.body())
                : usable(action) ? null : "the action has no id or upload_url";
        callLog.recordCall(c.id(), "create-action", r.status(), r.requestId(), r.durationMs(), outcomes.errorOf(r, unreadable));
        if (!r.ok()) {
            // no answer at all: the action may exist, so it is looked for before another create
            failOrRetry(c, r, r.status() == null ? CREATE_SENT : CREATE, "creating the device action");
            return;
        }
        if (unreadable != null) {
            // the cloud took the create (2xx) but its answer was lost on the way: look the action up, never create a second
            outcomes.retryUnreadable(c, r, CREATE_SENT, "creating the device action", unreadable);
            return;
        }
        adopt(c, action, r.requestId());
    }

    /** Whether an action object names what the upload needs: its id and upload URL. */
    private static boolean usable(JsonNode action) {
        return !action.path("id").asText("").isBlank() && !action.path("upload_url").asText("").isBlank();
    }

    /** Records a created (or found) action, {@link #usable}: its id and upload URL; the upload is due now. */
    private void adopt(CommandRecord c, JsonNode action, String requestId) {
        String actionId = action.path("id").asText();
        String uploadUrl = action.path("upload_url").asText();
        String status = action.path("status").asText("AWAITING_DATA");
        String scratch = mapper.createObjectNode().put("upload_url", uploadUrl)
                .put("upload_url_expires_at", action.path("upload_url_expires_at").asText(null))
                .put("recreates", recreates(c)).toString();
        workQueue.saveProgress(c.id(), Progress.next(UPLOAD, ledger.now()).withVendor(actionId, status, scratch));
        transitions.move(c.id(), new StateChange(AccessStatusMapping.stateOf(status).orElse(CommandState.INITIATED), status,
                requestId, null));
    }

    // ------------------------------------------------------------- recovery: a create whose answer was lost

    /** Lists the device's actions still awaiting data, created since shortly before our lost create. */
    public void prepareFind(Exchange exchange) {
        CommandRecord c = remember(exchange);
        String since = c.updatedAt().minus(Duration.ofMinutes(2)).toString();
        call.prepare(exchange, "GET", baseUrl + "/v1/device-actions?device_id__eq=" + encode(c.device())
                + "&status__eq=AWAITING_DATA&created_at__gte=" + encode(since) + "&order=DESC&limit=10", apiKey, null);
    }

    /** Adopts the newest such action no other command owns; when there is none, creates one. */
    public void recordFind(Exchange exchange) {
        CommandRecord c = command(exchange);
        CloudResponse r = call.read(exchange);
        JsonNode list = r.ok() ? strictJson(r.body()) : null;
        JsonNode found = list == null ? null : candidate(list.path("data"));
        String unreadable = !r.ok() ? null : list == null ? LenientJson.whyUnreadable(r.body())
                : !list.path("data").isArray() ? "no data list"
                : found != null && !usable(found) ? "the action found has no upload_url" : null;
        callLog.recordCall(c.id(), "find-lost-action", r.status(), r.requestId(), r.durationMs(), outcomes.errorOf(r, unreadable));
        String doing = "looking for an action whose creation was not confirmed";
        if (!r.ok()) {
            failOrRetry(c, r, CREATE_SENT, doing);
            return;
        }
        if (unreadable != null) {
            // not knowing whether the action exists, creating one could make a second: look again
            outcomes.retryUnreadable(c, r, CREATE_SENT, doing, unreadable);
            return;
        }
        if (found != null) {
            LOG.info("command {} ({}): found action {} whose creation was not confirmed; using it", c.id(), c.device(),
                    found.path("id").asText());
            adopt(c, found, r.requestId());
            return;
        }
        workQueue.saveProgress(c.id(), Progress.next(CREATE, ledger.now()));
    }

    /** The newest listed action of our type that no command owns yet, or null. */
    private JsonNode candidate(JsonNode actions) {
        for (JsonNode action : actions) {
            String id = action.path("id").asText(null);
            if (id != null && !id.isBlank() && ACTION_TYPE.equals(action.path("type").asText(ACTION_TYPE))
                    && !commandStore.isKnownVendorRef(CredentialsActionPlanner.KIND, id)) {
                return action;
            }
        }
        return null;
    }

    // ------------------------------------------------------------- step 2: upload the payload

    public void prepareUpload(Exchange exchange) {
        CommandRecord c = remember(exchange); // the claim stored UPLOAD_SENT before this call
        // the upload URL is pre-authorised and may live on another host: never send the API key there
        call.prepare(exchange, "PUT", json(c.vendorData()).path("upload_url").asText(), null, c.payload());
    }

    public void recordUpload(Exchange exchange) {
        CommandRecord c = command(exchange);
        CloudResponse r = call.read(exchange);
        // the contract's 200 has an empty body; one that is there but no JSON is a garbled answer, not a receipt
        String unreadable = r.ok() && !r.body().isBlank() && strictJson(r.body()) == null ? LenientJson.whyUnreadable(r.body()) : null;
        callLog.recordCall(c.id(), "upload-payload", r.status(), r.requestId(), r.durationMs(), outcomes.errorOf(r, unreadable));
        if (unreadable != null) {
            // the upload may well have arrived: poll the action to learn, never PUT blindly again
            outcomes.retryUnreadable(c, r, UPLOAD_SENT, "uploading the payload", unreadable);
        } else if (r.ok() || (r.status() != null && r.status() == 409)) {
            // 200: received, not yet processed. 409: it had been received already (a retried PUT).
            workQueue.saveProgress(c.id(), Progress.next(POLL, ledger.now().plus(backoff.pollDelay(0))));
            transitions.move(c.id(), new StateChange(CommandState.ACKNOWLEDGED, null, r.requestId(), null));
        } else if (r.status() != null && r.status() == 403) {
            recreate(c, r);
        } else {
            // no answer at all: the upload may have arrived, so the action is polled before another PUT
            failOrRetry(c, r, r.status() == null ? UPLOAD_SENT : UPLOAD, "uploading the payload");
        }
    }

    /** The upload URL expired before the payload got there: a new action is created and the payload sent again. */
    private void recreate(CommandRecord c, CloudResponse r) {
        int done = recreates(c);
        if (done >= maxRecreates) {
            fail(c, "upload URL expired " + (done + 1) + " times; gave up re-creating the action", null, r.requestId());
            return;
        }
        LOG.info("command {} ({}): upload URL expired, creating a new action", c.id(), c.device());
        // the abandoned action stays visible as the bridge's own housekeeping (hidden by exclude_internal_commands)
        commandStore.recordInternal(c, java.util.UUID.nameUUIDFromBytes((c.id() + "/abandoned/" + c.vendorRef())
                        .getBytes(StandardCharsets.UTF_8)).toString(), c.vendorRef(), CommandState.CANCELLED,
                "upload URL expired before the upload; abandoned, a new action is created for command " + c.id());
        String scratch = mapper.createObjectNode().put("recreates", done + 1).toString();
        workQueue.saveProgress(c.id(), Progress.next(CREATE, ledger.now()).withVendor(null, null, scratch));
    }

    // ------------------------------------------------------------- wait: poll the action

    public void preparePoll(Exchange exchange) {
        CommandRecord c = remember(exchange);
        call.prepare(exchange, "GET", baseUrl + "/v1/device-actions/" + encode(c.vendorRef()), apiKey, null);
    }

    public void recordPoll(Exchange exchange) {
        CommandRecord c = command(exchange);
        CloudResponse r = call.read(exchange);
        JsonNode action = r.ok() ? strictJson(r.body()) : null;
        String unreadable = !r.ok() ? null : action == null ? LenientJson.whyUnreadable(r.body())
                : action.path("status").asText("").isBlank() ? "the action has no status" : null;
        callLog.recordCall(c.id(), "poll-action", r.status(), r.requestId(), r.durationMs(), outcomes.errorOf(r, unreadable));
        if (!r.ok()) {
            failOrRetry(c, r, POLL, "polling the device action");
            return;
        }
        if (unreadable != null) {
            outcomes.retryUnreadable(c, r, POLL, "polling the device action", unreadable);
            return;
        }
        String status = action.path("status").asText(null);
        if ("AWAITING_DATA".equals(status) && action.hasNonNull("upload_url")) {
            // the cloud never registered our upload: send it again on the URL it names now
            String scratch = mapper.createObjectNode().put("upload_url", action.get("upload_url").asText())
                    .put("recreates", recreates(c)).toString();
            workQueue.saveProgress(c.id(), Progress.next(UPLOAD, ledger.now()).withVendor(null, status, scratch).countPoll());
            return;
        }
        workQueue.saveProgress(c.id(), Progress.next(POLL, ledger.now().plus(backoff.pollDelay(c.polls() + 1)))
                .withVendorStatus(status).countPoll());
        applyStatus(c, status, action.path("reason").asText(null), r.requestId());
    }

    // ------------------------------------------------------------- webhook: the cloud tells us first

    /**
     * Applies a DEVICE_ACTION_UPDATED event (already signature-checked and de-duplicated by the
     * route). Events for actions the ledger does not know, or that would move a command backwards,
     * change nothing.
     */
    public void onWebhookEvent(String body) {
        JsonNode data = json(body).path("data");
        String actionId = data.path("id").asText(null);
        if (actionId == null) {
            LOG.warn("access webhook: event without data.id ignored");
            return;
        }
        Optional<CommandRecord> c = commandStore.commandByVendorRef(CredentialsActionPlanner.KIND, actionId);
        if (c.isEmpty()) {
            LOG.debug("access webhook: no command for action {}", actionId);
            return;
        }
        applyStatus(c.get(), data.path("status").asText(null), data.path("reason").asText(null), null);
    }

    /** The event's {@code event_id}, the key the route de-duplicates deliveries by. */
    public String eventId(String body) {
        return json(body).path("event_id").asText("");
    }

    private void applyStatus(CommandRecord c, String status, String reason, String requestId) {
        Optional<CommandState> state = AccessStatusMapping.stateOf(status);
        if (state.isEmpty()) {
            LOG.warn("command {}: unknown access-cloud status '{}' ignored", c.id(), status);
            return;
        }
        String why = state.get() == CommandState.FAILURE
                ? "REJECTED by the access cloud: " + (reason == null ? "no reason given" : redactor.text(reason)) : null;
        transitions.move(c.id(), new StateChange(state.get(), status, requestId, why));
    }

    // ------------------------------------------------------------- failures

    private void failOrRetry(CommandRecord c, CloudResponse r, String phase, String doing) {
        String refusal = r.status() != null && r.status() == 404 && CREATE.equals(phase)
                ? "unknown device '" + c.device() + "'" : doing + " was refused";
        outcomes.failOrRetry(c, r, phase, doing, refusal);
    }

    private void fail(CommandRecord c, String reason, String vendorStatus, String requestId) {
        outcomes.fail(c, reason, vendorStatus, requestId);
    }

    // ------------------------------------------------------------- helpers

    private static CommandRecord remember(Exchange exchange) {
        CommandRecord c = exchange.getIn().getBody(CommandRecord.class);
        exchange.setProperty(COMMAND, c);
        return c;
    }

    private static CommandRecord command(Exchange exchange) {
        return exchange.getProperty(COMMAND, CommandRecord.class);
    }

    private int recreates(CommandRecord c) {
        return c.vendorData() == null ? 0 : json(c.vendorData()).path("recreates").asInt(0);
    }

    private JsonNode json(String text) {
        return LenientJson.read(mapper, text);
    }

    /** A cloud's answer as JSON, or null when it cannot be read. */
    private JsonNode strictJson(String text) {
        return LenientJson.strict(mapper, text).orElse(null);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
