package org.devicebridge.ledger;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.devicebridge.ledger.Ledger.COMMAND_COLUMNS;
import static org.devicebridge.ledger.Ledger.FINISHED_RANK;
import static org.devicebridge.ledger.Ledger.INSERT_FIRST_TRANSITION;
import static org.devicebridge.ledger.Ledger.ts;
import static org.devicebridge.ledger.Ledger.instant;

/**
 * Requests and commands, the write side of intake and housekeeping: a request opened, its commands
 * (and the records that could not be read) written, its intake completed, finished and reported;
 * the bridge's own internal commands; the result detail an adapter keeps with a command. Command
 * states are not written here: that is {@link LedgerTransitions}' job.
 */
public class CommandStore {

    private final Ledger ledger;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public CommandStore(Ledger ledger) {
        this.ledger = ledger;
        this.jdbc = ledger.jdbc();
        this.tx = ledger.tx();
    }

    /** Registers a request. @return false when a request with this id already exists (a re-submission). */
    public boolean openRequest(String requestId, String source, String sourceName) {
        return openRequest(requestId, source, sourceName, null);
    }

    /**
     * Opens a request submitted as one document, keeping the document's digest with it (see
     * {@link RequestRecord#documentDigest()}).
     *
     * @return false when the request exists already (its digest is then the first document's)
     */
    public boolean openRequest(String requestId, String source, String sourceName, String documentDigest) {
        try {
            jdbc.update("INSERT INTO bridge_request (id, source, source_name, created_at, document_digest) VALUES (?, ?, ?, ?, ?)",
                    requestId, source, sourceName, ts(ledger.now()), documentDigest);
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    public Optional<RequestRecord> request(String requestId) {
        return jdbc.query("SELECT * FROM bridge_request WHERE id = ?", Ledger::mapRequest, requestId).stream().findFirst();
    }

    /**
     * Marks the end of intake: from now on the request is finished once every command is final.
     *
     * @return false when its intake was complete before
     */
    public boolean completeIntake(String requestId) {
        return jdbc.update("UPDATE bridge_request SET intake_complete = TRUE, intake_done_at = ? WHERE id = ? AND intake_complete = FALSE",
                ts(ledger.now()), requestId) == 1;
    }

    /** Requests whose intake is complete and whose commands are all final, not yet marked finished. */
    public List<String> requestsJustFinished() {
        return jdbc.queryForList("SELECT r.id FROM bridge_request r WHERE r.intake_complete = TRUE AND r.finished_at IS NULL "
                + "AND NOT EXISTS (SELECT 1 FROM bridge_command c WHERE c.request_id = r.id AND c.finished_at IS NULL)", String.class);
    }

    /**
     * Marks the request finished and, in the same transaction, appends it to
     * {@code bridge_finished_request} with the last transition of its commands: the log the event
     * streams and webhook subscribers announce its summary from (after that transition), so that
     * they never look for newly finished requests on each tick.
     */
    public void markFinished(String requestId) {
        tx.executeWithoutResult(status -> {
            Instant last = jdbc.queryForObject("SELECT MAX(finished_at) FROM bridge_command WHERE request_id = ?",
                    (rs, i) -> instant(rs, 1), requestId);
            Instant now = ledger.now();
            if (jdbc.update("UPDATE bridge_request SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                    ts(last != null ? last : now), requestId) == 1) {
                // unless a subscriber's catch-up (WebhookLedger.noteFinishedRequests) noted it first
                jdbc.update("INSERT INTO bridge_finished_request (request_id, last_transition_id, found_at) SELECT ?, "
                        + "COALESCE((SELECT MAX(t.id) FROM bridge_transition t JOIN bridge_command c ON c.list_no = t.command_no "
                        + "WHERE c.request_id = ? AND c.internal = FALSE), 0), ? FROM (VALUES (1)) one "
                        + "WHERE NOT EXISTS (SELECT 1 FROM bridge_finished_request f WHERE f.request_id = ?)",
                        requestId, requestId, ts(now), requestId);
            }
        });
    }

    public List<RequestRecord> requestsToReport() {
        return jdbc.query("SELECT * FROM bridge_request WHERE finished_at IS NOT NULL AND reported_at IS NULL ORDER BY created_at",
                Ledger::mapRequest);
    }

    public void markReported(String requestId) {
        jdbc.update("UPDATE bridge_request SET reported_at = ? WHERE id = ?", ts(ledger.now()), requestId);
    }

    /** Requests still being worked on (not yet reported), oldest first. */
    public List<RequestRecord> openRequests() {
        return jdbc.query("SELECT * FROM bridge_request WHERE reported_at IS NULL ORDER BY created_at", Ledger::mapRequest);
    }

    /**
     * Writes a new command and its first transition in one transaction.
     *
     * @return false when a command with that id exists already (the batch was read before)
     */
    public boolean recordCommand(NewCommand c) {
        return recordCommands(List.of(c)) == 1;
    }

    /**
     * Writes the commands of one batch record (a bulk action's devices) and their first
     * transitions in one transaction, so a poller never sees half an action. Commands whose id
     * exists already (the record was read before) are skipped, also when another intake of the
     * same request (a second instance, a duplicate delivery) writes them at the same moment.
     *
     * @return how many were new
     */
    public int recordCommands(List<NewCommand> commands) {
        for (int attempt = 1; ; attempt++) {
            try {
                return insertNew(commands);
            } catch (DuplicateKeyException e) {
                // a concurrent writer inserted some of them after we looked: look again, they are committed now
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private int insertNew(List<NewCommand> commands) {
        Instant now = ledger.now();
        Integer added = tx.execute(status -> {
            java.util.Set<String> existing = new java.util.HashSet<>();
            for (int from = 0; from < commands.size(); from += 500) {
                List<NewCommand> part = commands.subList(from, Math.min(commands.size(), from + 500));
                String marks = Ledger.marks(part.size());
                existing.addAll(jdbc.queryForList("SELECT id FROM bridge_command WHERE id IN (" + marks + ")", String.class,
                        part.stream().map(NewCommand::id).toArray()));
            }
            List<NewCommand> fresh = commands.stream().filter(c -> !existing.contains(c.id())).toList();
            jdbc.batchUpdate("INSERT INTO bridge_command (id, request_id, seq, position, record_ref, action_id, kind, device, state, "
                            + "invalid, payload, phase, reason, next_attempt_at, deadline_at, created_at, updated_at, finished_at, queue_rank) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    fresh.stream().map(c -> new Object[] {c.id(), c.requestId(), c.seq(), c.position(), c.recordRef(), c.actionId(),
                            c.kind(), c.device(), c.state().label(), c.invalid(), c.payload(), c.phase(), c.reason(),
                            ts(c.nextAttemptAt()), ts(c.deadlineAt()), ts(now), ts(now), c.state().isFinal() ? ts(now) : null,
                            c.state().isFinal() ? FINISHED_RANK : 1}).toList());
            jdbc.batchUpdate(INSERT_FIRST_TRANSITION,
                    fresh.stream().map(c -> new Object[] {c.id(), ts(now), c.state().label(), c.reason()}).toList());
            return fresh.size();
        });
        return added == null ? 0 : added;
    }

    /** Records a batch record that could not be read at all. @return false if already recorded. */
    public boolean recordIntakeError(String requestId, int seq, String recordRef, String reason, String raw) {
        try {
            jdbc.update("INSERT INTO bridge_intake_error (request_id, seq, record_ref, reason, raw) VALUES (?, ?, ?, ?, ?)",
                    requestId, seq, recordRef, reason, raw);
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    /**
     * Records a housekeeping command of the bridge's own (e.g. an action the bridge abandoned and
     * replaced), final at once, marked internal so status listings can hide it.
     */
    public void recordInternal(CommandRecord about, String id, String vendorRef, CommandState state, String reason) {
        Instant now = ledger.now();
        if (command(id).isPresent()) {
            return; // recorded before (the step is being repeated after a restart)
        }
        tx.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO bridge_command (id, request_id, seq, position, record_ref, action_id, kind, device, state, invalid, "
                            + "internal, payload, phase, vendor_ref, reason, created_at, updated_at, finished_at, queue_rank) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, TRUE, NULL, 'DONE', ?, ?, ?, ?, ?, " + FINISHED_RANK + ")",
                    id, about.requestId(), about.seq(), about.position(), about.recordRef(), about.actionId(), about.kind(), about.device(),
                    state.label(), vendorRef, reason, ts(now), ts(now), ts(now));
            jdbc.update(INSERT_FIRST_TRANSITION, id, ts(now), state.label(), reason);
        });
    }

    /** Stores what an adapter wants shown with the command's result (JSON). */
    public void saveResultDetail(String commandId, String json) {
        jdbc.update("UPDATE bridge_command SET result_detail = ? WHERE id = ?", json, commandId);
    }

    public Optional<CommandRecord> command(String id) {
        return ledger.command(id);
    }

    /** These commands, by id, in one query; an id the ledger does not hold is left out. */
    public Map<String, CommandRecord> commands(Collection<String> ids) {
        Map<String, CommandRecord> byId = new HashMap<>();
        if (ids.isEmpty()) {
            return byId;
        }
        jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE id IN (" + Ledger.marks(ids.size()) + ")",
                Ledger::mapCommand, ids.toArray()).forEach(c -> byId.put(c.id(), c));
        return byId;
    }

    public Optional<CommandRecord> commandByVendorRef(String kind, String vendorRef) {
        return jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE kind = ? AND vendor_ref = ?",
                Ledger::mapCommand, kind, vendorRef).stream().findFirst();
    }

    /** Is this cloud action id the vendor reference of any command of the kind? */
    public boolean isKnownVendorRef(String kind, String vendorRef) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_command WHERE kind = ? AND vendor_ref = ?", Integer.class,
                kind, vendorRef);
        return n != null && n > 0;
    }
}
