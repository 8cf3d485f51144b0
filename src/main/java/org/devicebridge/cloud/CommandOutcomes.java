package org.devicebridge.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.Progress;
import org.devicebridge.ledger.StateChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * What every cloud adapter does with a call that did not work: retry a transient failure (429,
 * 5xx, no answer) with backoff, up to the attempt limit, or end the command {@code Command Failure}
 * with the cloud's own words and its request id, free of secrets.
 */
public class CommandOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(CommandOutcomes.class);

    private final Ledger ledger;
    private final LedgerTransitions transitions;
    private final BackoffSchedule backoff;
    private final Redactor redactor;
    private final ObjectMapper mapper;

    public CommandOutcomes(Ledger ledger, LedgerTransitions transitions, BackoffSchedule backoff, Redactor redactor,
                           ObjectMapper mapper) {
        this.ledger = ledger;
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
        int attempts = c.attempts() + 1;
        if (attempts >= backoff.maxAttempts()) { // max-attempts counts calls: N failed calls, no more
            fail(c, "gave up " + doing + " after " + attempts + " attempts; last: " + r.describe() + detail(r), null, r.requestId());
            return;
        }
        Duration delay = backoff.retryDelay(attempts, r.retryAfter());
        LOG.info("command {} ({}): {} while {}; retry {} of {} in {} ms", c.id(), c.device(), r.describe(), doing, attempts,
                backoff.maxAttempts(), delay.toMillis());
        ledger.saveProgress(c.id(), Progress.next(retryPhase, ledger.now().plus(delay)).attempts(attempts));
    }

    /** Ends the command {@code Command Failure}; the reason is redacted and carries the cloud's request id. */
    public void fail(CommandRecord c, String reason, String vendorStatus, String requestId) {
        String why = redactor.text(reason) + (requestId == null ? "" : " (request id " + requestId + ")");
        LOG.warn("command {} ({}): failed: {}", c.id(), c.device(), why);
        transitions.move(c.id(), StateChange.failure(why, vendorStatus, requestId));
    }

    /**
     * The cloud's own words from an error body, whichever cloud: seed 001's
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
}
