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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Adapter of the access cloud's two-step action: create the action, PUT the payload to its
 * pre-authorised upload URL, then poll until RESOLVED or REJECTED.
 * <p>
 * The route {@code two-step-action.yaml} makes the calls; this class has each request prepared and
 * each answer read by the cloud's {@link AccessDialect} ({@code bridge.access.dialect}: REST or
 * Yonomi GraphQL), and records each answer in the ledger before the next call. A command's next step is its
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
    /** RESOLVED by the cloud: read the device's credentials and schedules back and compare them with the upload. */
    public static final String VERIFY = "VERIFY";

    /**
     * The exchange property that holds the command's next step when a step's outcome took it at once (the upload after
     * its create, the read-back after RESOLVED): the route {@code access-step} makes it next, on the same worker.
     */
    public static final String NEXT_STEP = "accessNextStep";

    private static final Logger LOG = LoggerFactory.getLogger(AccessCloudAdapter.class);
    private static final String COMMAND = "command";

    private final AccessDialect dialect;
    /**
     * Calls not repeated blindly: claimed as "sent" in the claim's own statement, before the call
     * leaves. A create counts only in a dialect that can look a lost one up; elsewhere it is made again.
     */
    private final java.util.Map<String, String> sent;
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
    private OlderDocuments olderDocuments = OlderDocuments.SUPERSEDE;
    private boolean readBack = true;
    private final AppliedDocumentCheck check = new AppliedDocumentCheck();

    public AccessCloudAdapter(AccessDialect dialect, int maxRecreates, int batchSize, Duration lease, Ledger ledger, WorkQueue workQueue,
                              CommandStore commandStore, CallLog callLog, LedgerTransitions transitions,
                              CloudCall call, BackoffSchedule backoff, CommandOutcomes outcomes, Redactor redactor,
                              ObjectMapper mapper) {
        this.dialect = dialect;
        this.sent = dialect.findsLostCreates() ? java.util.Map.of(CREATE, CREATE_SENT, UPLOAD, UPLOAD_SENT)
                : java.util.Map.of(UPLOAD, UPLOAD_SENT);
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

    /** {@code bridge.access.per-device}: what becomes of older documents for a device (default: superseded). */
    public AccessCloudAdapter olderDocuments(OlderDocuments policy) {
        this.olderDocuments = policy;
        return this;
    }

    /** {@code bridge.access.read-back}: confirm each RESOLVED action by reading the device's data back (default: on). */
    public AccessCloudAdapter readBack(boolean on) {
        this.readBack = on;
        return this;
    }

    /** What becomes of an older document for a device when a newer one is taken in ({@code bridge.access.per-device}). */
    public enum OlderDocuments {
        /** Superseded: an older command nothing was sent for yet ends Command Cancelled, naming the newer one. */
        SUPERSEDE,
        /** Each runs, one after the other, in the order taken in. */
        IN_ORDER;

        public static OlderDocuments of(String setting) {
            return switch (setting.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "supersede" -> SUPERSEDE;
                case "in-order" -> IN_ORDER;
                default -> throw new IllegalArgumentException(setting);
            };
        }
    }

    /**
     * The credentials commands whose next step is due, leased to this poller: at most one per free
     * worker ({@code free}), and at most one batch.
     * <p>
     * One action per device at a time: a command about to be created ({@value #CREATE}) first takes
     * its device ({@link WorkQueue#takeDevice}), held until it is final; while another command holds
     * the device it waits (woken when that one is final, {@link #onCommandFinal}, or at the latest
     * after a lease). With {@link OlderDocuments#SUPERSEDE} a command for which a newer document of
     * its device was taken in ends {@code Command Cancelled} instead, naming the newer command: the
     * device's database is replaced whole by each upload, only the newest document counts. All in
     * the claim's own transaction, so no other instance sees a half-taken device.
     */
    public List<CommandRecord> claimDue(int free) {
        List<CommandRecord> go = new java.util.ArrayList<>();
        ledger.inTransaction(() -> {
            go.clear();
            List<CommandRecord> claimed = workQueue.claimDue(CredentialsActionPlanner.KIND, Math.min(free, batchSize), lease,
                    Duration.ZERO, sent);
            // devices in one order in every instance: two claims never wait for each other's devices in a circle
            for (CommandRecord c : claimed.stream().sorted(java.util.Comparator.comparing(CommandRecord::device)).toList()) {
                if (!CREATE.equals(c.phase())) {
                    go.add(c);   // started work holds its device already
                    continue;
                }
                boolean inOrder = olderDocuments == OlderDocuments.IN_ORDER;
                Optional<String> newer = inOrder ? Optional.empty() : workQueue.newerCommand(c);
                if (newer.isPresent()) {
                    workQueue.unclaim(c, ledger.now());
                    transitions.move(c.id(), new StateChange(CommandState.CANCELLED, null, null, "superseded by command "
                            + newer.get() + ", a newer document for device " + c.device() + "; nothing was sent for this one"));
                } else if ((!inOrder || !workQueue.olderCommandOpen(c)) && workQueue.takeDevice(c)) {
                    go.add(c);
                } else {
                    // the device is busy (in order: or an older document of it has yet to run): woken when the holder is final
                    workQueue.unclaim(c, ledger.now().plus(lease));
                    // the holder may have ended while this claim ran, its wake-up finding nothing to wake yet:
                    // once this transaction commits, a command whose turn it is by then is due at once
                    ledger.afterCommit(() -> workQueue.wakeIfItsTurn(c, inOrder));
                }
            }
        });
        go.sort(java.util.Comparator.comparing(CommandRecord::nextAttemptAt).thenComparing(CommandRecord::seq));
        return go;
    }

    /** A credentials command ended: the commands waiting for its device are due now. */
    public void onCommandFinal(org.devicebridge.ledger.LedgerTransitions.StateChanged event) {
        if (event.change().to().isFinal() && CredentialsActionPlanner.KIND.equals(event.command().kind())) {
            workQueue.wakeWaiting(CredentialsActionPlanner.KIND, event.command().device(), CREATE);
        }
    }

    /** A command whose phase no step of this adapter takes (a ledger edited by hand, a newer version's phase). */
    public void unknownPhase(Exchange exchange) {
        CommandRecord c = exchange.getIn().getBody(CommandRecord.class);
        fail(c, "the bridge has no step for phase '" + c.phase() + "' of an access-cloud action", null, null);
    }

    // ------------------------------------------------------------- step 1a: create the action

    public void prepareCreate(Exchange exchange) {
        dialect.prepareCreate(exchange, remember(exchange)); // the claim stored CREATE_SENT before this call
    }

    public void recordCreate(Exchange exchange) {
        CommandRecord c = command(exchange);
        CloudResponse r = dialect.read(exchange);
        AccessDialect.Reading<AccessDialect.ActionView> action = r.ok() ? dialect.readCreated(r) : null;
        String unreadable = action == null ? null : action.unreadable();
        callLog.recordCall(c.id(), "create-action", r.status(), r.requestId(), r.durationMs(), outcomes.errorOf(r, unreadable));
        if (!r.ok()) {
            // no answer at all: the action may exist, so it is looked for before another create
            failOrRetry(c, r, r.status() == null ? lostCreatePhase() : CREATE, "creating the device action");
            return;
        }
        if (unreadable != null) {
            // the cloud took the create (2xx) but its answer was lost on the way: look the action up, never create a second
            outcomes.retryUnreadable(c, r, lostCreatePhase(), "creating the device action", unreadable);
            return;
        }
        adopt(exchange, c, action.value(), r.requestId());
    }

    /** Whether the dialect can look up an action whose create lost its answer (the route asks). */
    public boolean findsLostCreates() {
        return dialect.findsLostCreates();
    }

    /**
     * Where a create whose answer was lost goes on: looking for the action it made; or, in a
     * dialect that cannot look it up, a new create (the first action gets no data, so changes nothing).
     */
    private String lostCreatePhase() {
        return dialect.findsLostCreates() ? CREATE_SENT : CREATE;
    }

    /** Records a created (or found) action, with its id and upload URL; the upload is due now, made next by this worker. */
    private void adopt(Exchange exchange, CommandRecord c, AccessDialect.ActionView action, String requestId) {
        String status = action.status() == null ? "AWAITING_DATA" : action.status();
        String scratch = mapper.createObjectNode().put("upload_url", action.uploadUrl())
                .put("upload_url_expires_at", action.uploadUrlExpiresAt())
                .put("recreates", recreates(c)).toString();
        Progress upload = Progress.next(UPLOAD, ledger.now()).withVendor(action.id(), status, scratch);
        takeAtOnce(exchange, c, new StateChange(AccessStatusMapping.stateOf(status).orElse(CommandState.INITIATED), status,
                requestId, null), upload);
    }

    // ------------------------------------------------------------- recovery: a create whose answer was lost

    /** Lists the device's actions still awaiting data, created since shortly before our lost create. */
    public void prepareFind(Exchange exchange) {
        dialect.prepareFind(exchange, remember(exchange));
    }

    /** Adopts the newest such action no other command owns; when there is none, creates one. */
    public void recordFind(Exchange exchange) {
        CommandRecord c = command(exchange);
        CloudResponse r = dialect.read(exchange);
        AccessDialect.Reading<List<AccessDialect.ActionView>> list = r.ok() ? dialect.readFound(r) : null;
        AccessDialect.ActionView found = list == null || !list.readable() ? null : candidate(list.value());
        String unreadable = list == null ? null : !list.readable() ? list.unreadable()
                : found != null && (found.uploadUrl() == null || found.uploadUrl().isBlank()) ? "the action found has no upload_url" : null;
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
            LOG.info("command {} ({}): found action {} whose creation was not confirmed; using it", c.id(), c.device(), found.id());
            adopt(exchange, c, found, r.requestId());
            return;
        }
        workQueue.saveProgress(c.id(), Progress.next(CREATE, ledger.now()));
    }

    /** The newest listed action that no command owns yet, or null. */
    private AccessDialect.ActionView candidate(List<AccessDialect.ActionView> actions) {
        for (AccessDialect.ActionView action : actions) {
            if (!commandStore.isKnownVendorRef(CredentialsActionPlanner.KIND, action.id())) {
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
            transitions.move(c.id(), new StateChange(CommandState.ACKNOWLEDGED, null, r.requestId(), null),
                    Progress.next(POLL, ledger.now().plus(backoff.pollDelay(0))));
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
        dialect.preparePoll(exchange, remember(exchange));
    }

    public void recordPoll(Exchange exchange) {
        CommandRecord c = command(exchange);
        CloudResponse r = dialect.read(exchange);
        AccessDialect.Reading<AccessDialect.ActionView> read = r.ok() ? dialect.readPolled(r) : null;
        String unreadable = read == null ? null : read.unreadable();
        callLog.recordCall(c.id(), "poll-action", r.status(), r.requestId(), r.durationMs(), outcomes.errorOf(r, unreadable));
        if (!r.ok()) {
            failOrRetry(c, r, POLL, "polling the device action");
            return;
        }
        if (unreadable != null) {
            outcomes.retryUnreadable(c, r, POLL, "polling the device action", unreadable);
            return;
        }
        AccessDialect.ActionView action = read.value();
        String status = action.status();
        // the cloud never registered our upload: send it again, on the URL it names now or (a dialect whose
        // status names none) on the one we have, when it was our upload whose answer was lost
        String again = !"AWAITING_DATA".equals(status) ? null : action.uploadUrl() != null ? action.uploadUrl()
                : UPLOAD_SENT.equals(c.phase()) ? json(c.vendorData()).path("upload_url").asText(null) : null;
        if (again != null) {
            String scratch = mapper.createObjectNode().put("upload_url", again)
                    .put("recreates", recreates(c)).toString();
            workQueue.saveProgress(c.id(), Progress.next(UPLOAD, ledger.now()).withVendor(null, status, scratch).countPoll());
            return;
        }
        applyStatus(exchange, c, status, action.reason(), r.requestId(), Progress.next(POLL, ledger.now().plus(
                backoff.pollDelay(c.polls() + 1))).withVendorStatus(status).countPoll());
    }

    // ------------------------------------------------------------- confirm: read back what the device holds

    public void prepareVerify(Exchange exchange) {
        CommandRecord c = remember(exchange);
        dialect.prepareReadBack(exchange, c);
    }

    /**
     * Equal to the document uploaded (normalised, {@link AppliedDocumentCheck}): {@code Command Success},
     * confirmed on the device. Different: {@code Command Failure}, saying what differs (never a value).
     */
    public void recordVerify(Exchange exchange) {
        CommandRecord c = command(exchange);
        CloudResponse r = dialect.read(exchange);
        JsonNode held = r.ok() ? strictJson(r.body()) : null;
        String unreadable = !r.ok() ? null : held == null ? LenientJson.whyUnreadable(r.body())
                : !held.path("credentials").isArray() || !held.path("schedules").isArray() ? "no credentials and schedules lists" : null;
        callLog.recordCall(c.id(), "read-back", r.status(), r.requestId(), r.durationMs(), outcomes.errorOf(r, unreadable));
        String doing = "reading back the device's credentials and schedules";
        if (!r.ok()) {
            failOrRetry(c, r, VERIFY, doing);
            return;
        }
        if (unreadable != null) {
            outcomes.retryUnreadable(c, r, VERIFY, doing, unreadable);
            return;
        }
        Optional<String> difference = check.difference(json(c.payload()), held);
        if (difference.isPresent()) {
            fail(c, "RESOLVED by the access cloud, but the device does not hold the document uploaded: " + difference.get(),
                    "RESOLVED", r.requestId());
            return;
        }
        transitions.move(c.id(), new StateChange(CommandState.SUCCESS, "RESOLVED", r.requestId(), null),
                Progress.next(org.devicebridge.ledger.LedgerReads.CONFIRMED, ledger.now()));
    }

    // ------------------------------------------------------------- webhook: the cloud tells us first

    /**
     * Applies a DEVICE_ACTION_UPDATED event (already signature-checked and de-duplicated by the
     * route). Events for actions the ledger does not know, or that would move a command backwards,
     * change nothing.
     */
    public void onWebhookEvent(String body) {
        Optional<AccessDialect.ActionView> update = dialect.webhookUpdate(body);
        if (update.isEmpty()) {
            LOG.debug("access webhook: an event about no action's status, acknowledged and ignored");
            return;
        }
        String actionId = update.get().id();
        Optional<CommandRecord> c = commandStore.commandByVendorRef(CredentialsActionPlanner.KIND, actionId);
        if (c.isEmpty()) {
            LOG.debug("access webhook: no command for action {}", actionId);
            return;
        }
        ledger.inTransaction(() -> {
            if (workQueue.holdUnlessLeased(c.get().id())) {
                CommandRecord held = commandStore.command(c.get().id()).orElseThrow(); // as it is now that no step can change it
                applyStatus(null, held, update.get().status(), update.get().reason(), null, null);
            } else {
                // a step is out for the command (an upload, a poll): it records its own answer, and later polls see this status
                LOG.debug("command {}: webhook status {} while a step is in flight; that step moves it on", c.get().id(),
                        update.get().status());
            }
        });
    }

    /** The event's id, the key the route de-duplicates deliveries by. */
    public String eventId(String body) {
        return dialect.eventId(body);
    }

    /**
     * After a call of the dialect: whether it is made once more with a renewed credential, in the
     * exchange property {@code accessCallAgain} the route filters on (a processor, not an expression:
     * re-preparing the call must change this exchange, not a copy).
     */
    public void renewOnRefusal(Exchange exchange) {
        exchange.setProperty("accessCallAgain", dialect.renewAndRepeat(exchange));
    }

    /**
     * A status the command's own step read (with that step's {@code progress}, saved in the same write), or a webhook told
     * while no step held the command ({@code exchange} and {@code progress} null).
     */
    private void applyStatus(Exchange exchange, CommandRecord c, String status, String reason, String requestId, Progress progress) {
        Optional<CommandState> state = AccessStatusMapping.stateOf(status);
        if (state.isEmpty()) {
            LOG.warn("command {}: unknown access-cloud status '{}' ignored", c.id(), status);
            if (progress != null) {
                workQueue.saveProgress(c.id(), progress);
            }
            return;
        }
        if (state.get() == CommandState.SUCCESS && readBack && dialect.readsBack()) {
            // RESOLVED is the cloud's word: what the device holds is read back before the command ends
            StateChange resolved = new StateChange(CommandState.IN_PROGRESS, status, requestId, null);
            if (progress == null) { // a webhook: the read-back is queued, for the dispatcher to claim
                transitions.move(c.id(), resolved, VERIFY.equals(c.phase()) ? null : Progress.next(VERIFY, ledger.now())
                        .withVendorStatus(status));
                return;
            }
            // the poll's progress, with the read-back due now instead of the next poll
            Progress verify = Progress.next(VERIFY, ledger.now()).withVendorStatus(status).attempts(progress.attempts());
            takeAtOnce(exchange, c, resolved, progress.polled() ? verify.countPoll() : verify);
            return;
        }
        String why = state.get() == CommandState.FAILURE
                ? "REJECTED by the access cloud: " + (reason == null ? "no reason given" : redactor.text(reason)) : null;
        transitions.move(c.id(), new StateChange(state.get(), status, requestId, why), progress);
    }

    /**
     * Moves the command ({@code change}) with a step's outcome whose next step is due at once ({@code next}: the upload
     * after its create, the read-back after RESOLVED), taking that step for this worker as a claim would: leased, and marked sent
     * when it is a call not to be repeated blindly ({@code UPLOAD_SENT}), in the same write of the command's row. The
     * route then makes it ({@link #NEXT_STEP}): one row write instead of two (the outcome's, the claim's), and no wait
     * for the dispatcher's next look. Started work first holds as before; a command past its deadline gets no new call
     * and is queued, for the deadline watch to end.
     */
    private void takeAtOnce(Exchange exchange, CommandRecord c, StateChange change, Progress next) {
        Instant now = ledger.now();
        if (c.deadlineAt() != null && c.deadlineAt().isBefore(now)) {
            transitions.move(c.id(), change, next);
            return;
        }
        if (transitions.move(c.id(), change, next.taken(sent.getOrDefault(next.phase(), next.phase()), now.plus(lease)))) {
            CommandRecord step = c.advancedBy(next);
            ledger.afterCommit(() -> exchange.setProperty(NEXT_STEP, step)); // never a call whose lease a rollback undid
        }
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

}
