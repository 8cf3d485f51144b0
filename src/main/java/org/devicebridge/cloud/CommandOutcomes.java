package org.devicebridge.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.devicebridge.observe.LogContext;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.Progress;
import org.devicebridge.ledger.StateChange;
import org.devicebridge.ledger.WorkQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What every cloud adapter does with a call that did not work: retry a transient failure (429,
 * 5xx, no answer) with backoff, up to the attempt limit, or end the command {@code Command Failure}
 * with the cloud's own words and its request id, free of secrets.
 * <p>
 * A {@code 2xx} whose body cannot be read (truncated, garbled, or without what the call must
 * answer) is no refusal: the cloud accepted the call and probably acted, only its answer was lost
 * on the way. It is retried like a transient failure ({@link #retryUnreadable}), in the phase that
 * finds out what happened first where repeating the call blindly could do it twice (the access
 * cloud's create and upload).
 * <p>
 * One call for many commands (a bulk chunk, a capability batch) has one outcome: the {@code Chunk}
 * methods schedule all of its commands for the same moment with the same attempt count, so the
 * next claim takes them together again as one call, and the attempt is counted once per call.
 */
public class CommandOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(CommandOutcomes.class);

    private final Ledger ledger;
    private final WorkQueue workQueue;
    private final LedgerTransitions transitions;
    private final BackoffSchedule backoff;
    private final Redactor redactor;
    private final ObjectMapper mapper;

    public CommandOutcomes(Ledger ledger, WorkQueue workQueue, LedgerTransitions transitions, BackoffSchedule backoff, Redactor redactor,
                           ObjectMapper mapper) {
        this.ledger = ledger;
        this.workQueue = workQueue;
        this.transitions = transitions;
        this.backoff = backoff;
        this.redactor = redactor;
        this.mapper = mapper;
    }

    /**
     * A transient failure schedules the same step again ({@code retryPhase}) after a backoff, or
     * gives up after the attempt limit; anything else fails the command with {@code refusal}.
     *
     * @param doing   what the call was for, e.g. "creating the device action"
     * @param refusal how a permanent refusal is described, e.g. "unknown device 'door-1'"
     */
    public void failOrRetry(CommandRecord c, CloudResponse r, String retryPhase, String doing, String refusal) {
        if (!r.transientFailure()) {
            fail(c, refusal + ": " + r.describe() + detail(r), null, r.requestId());
            return;
        }
        retryOrGiveUp(c, r.describe() + detail(r), r.retryAfter(), r.requestId(), retryPhase, doing);
    }

    /**
     * A {@code 2xx} whose answer could not be read: what the cloud did is unknown, so the command
     * goes on in {@code retryPhase} after a backoff, counted as an attempt like a transient failure;
     * after the attempt limit it fails, naming the unreadable answer.
     *
     * @param problem what was wrong with the answer, e.g. "not JSON (truncated or garbled)"
     */
    public void retryUnreadable(CommandRecord c, CloudResponse r, String retryPhase, String doing, String problem) {
        retryOrGiveUp(c, unreadable(r, problem), null, r.requestId(), retryPhase, doing);
    }

    private void retryOrGiveUp(CommandRecord c, String last, Duration retryAfter, String requestId, String retryPhase, String doing) {
        int attempts = c.attempts() + 1;
        if (attempts >= backoff.maxAttempts()) { // max-attempts counts calls: N failed calls, no more
            fail(c, "gave up " + doing + " after " + attempts + " attempts; last: " + last, null, requestId);
            return;
        }
        Duration delay = backoff.retryDelay(attempts, retryAfter);
        try (LogContext ignored = LogContext.command(c)) {
            LOG.info("command {} ({}): {} while {}; retry {} of {} in {} ms", c.id(), c.device(), redactor.text(last), doing, attempts,
                    backoff.maxAttempts(), delay.toMillis());
        }
        workQueue.saveProgress(c.id(), Progress.next(retryPhase, ledger.now().plus(delay)).attempts(attempts));
    }

    /**
     * {@link #failOrRetry} for every command of one call: a permanent refusal fails each; a
     * transient failure schedules them all again together ({@link #retryChunk}).
     */
    public void failOrRetryChunk(List<CommandRecord> chunk, CloudResponse r, String retryPhase, String doing, String refusal) {
        if (!r.transientFailure()) {
            chunk.forEach(c -> fail(c, refusal + ": " + r.describe() + detail(r), null, r.requestId()));
            return;
        }
        retryChunk(chunk, r.describe() + detail(r), r.retryAfter(), r.requestId(), retryPhase, doing);
    }

    /** {@link #retryUnreadable} for the commands of one call whose outcome the answer did not tell: retried together. */
    public void retryChunkUnreadable(List<CommandRecord> chunk, CloudResponse r, String retryPhase, String doing, String problem) {
        retryChunk(chunk, unreadable(r, problem), null, r.requestId(), retryPhase, doing);
    }

    /**
     * Schedules the commands of one call again as one: one backoff delay (jitter drawn once) and
     * one attempt count (the call's, not one per command), so they are all due at the same instant
     * and the next claim takes them in one call again; or, past the attempt limit, fails them all.
     */
    private void retryChunk(List<CommandRecord> chunk, String last, Duration retryAfter, String requestId, String retryPhase,
                            String doing) {
        if (chunk.isEmpty()) {
            return;
        }
        int attempts = chunk.stream().mapToInt(CommandRecord::attempts).max().orElse(0) + 1;
        if (attempts >= backoff.maxAttempts()) {
            chunk.forEach(c -> fail(c, "gave up " + doing + " after " + attempts + " attempts; last: " + last, null, requestId));
            return;
        }
        Duration delay = backoff.retryDelay(attempts, retryAfter);
        Instant at = ledger.now().plus(delay);
        LOG.info("{} commands of one call (request {}): {} while {}; retry {} of {} in {} ms, all in one call again", chunk.size(),
                chunk.get(0).requestId(), redactor.text(last), doing, attempts, backoff.maxAttempts(), delay.toMillis());
        chunk.forEach(c -> workQueue.saveProgress(c.id(), Progress.next(retryPhase, at).attempts(attempts)));
    }

    /** How an answer that came but could not be read is described, e.g. {@code HTTP 201, answer unreadable: not JSON}. */
    public String unreadable(CloudResponse r, String problem) {
        return r.describe() + ", answer unreadable: " + problem;
    }

    /** Ends the command {@code Command Failure}; the reason is redacted and carries the cloud's request id. */
    public void fail(CommandRecord c, String reason, String vendorStatus, String requestId) {
        String why = redactor.text(reason) + (requestId == null ? "" : " (request id " + requestId + ")");
        try (LogContext ignored = LogContext.command(c)) {
            LOG.warn("command {} ({}): failed: {}", c.id(), c.device(), why);
            transitions.move(c.id(), StateChange.failure(why, vendorStatus, requestId));
        }
    }

    /**
     * The cloud's own words from an error body, whichever cloud: the common error body's
     * {@code type/message/fields}, the network cloud's {@code error/message}, the home cloud's {@code message}.
     */
    public String detail(CloudResponse r) {
        if (r.status() == null || r.body() == null || r.body().isBlank()) {
            return "";
        }
        JsonNode body;
        try {
            body = mapper.readTree(r.body());
        } catch (JsonProcessingException e) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String code : new String[] {"type", "error"}) {
            if (body.path(code).isTextual()) {
                out.append(' ').append(body.get(code).asText());
            }
        }
        if (body.hasNonNull("message")) {
            out.append(": ").append(body.get("message").asText());
        }
        for (JsonNode f : body.path("fields")) {
            out.append(" [").append(f.path("name").asText()).append(": ").append(f.path("message").asText()).append(']');
        }
        return redactor.text(out.toString());
    }

    /** What the ledger's call row says went wrong, or null for a success. */
    public String errorOf(CloudResponse r) {
        return r.ok() ? null : redactor.text(r.describe() + detail(r));
    }

    /** {@link #errorOf}, or for a {@code 2xx} whose answer could not be read ({@code problem} not null), that. */
    public String errorOf(CloudResponse r, String problem) {
        return r.ok() && problem != null ? redactor.text(unreadable(r, problem)) : errorOf(r);
    }
}
