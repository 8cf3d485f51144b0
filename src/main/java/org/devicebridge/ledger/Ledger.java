package org.devicebridge.ledger;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The ledger: requests, commands, calls and intake errors, stored durably through JDBC.
 * <p>
 * Every write the bridge makes about a command goes through here, except state changes, which go
 * through {@link LedgerTransitions} (one place for the state machine). Work is picked from the
 * ledger by time ({@code next_attempt_at}), leased with a compare-and-set so several bridge
 * instances on one database never run the same step twice.
 */
public class Ledger {

    private static final String COMMAND_COLUMNS = "id, request_id, seq, position, record_ref, action_id, kind, device, state, invalid, "
            + "internal, payload, phase, vendor_ref, vendor_status, vendor_data, reason, attempts, polls, next_attempt_at, "
            + "deadline_at, created_at, updated_at, finished_at, result_detail";

    /** {@code queue_rank} of a final command: below every claim's range, so history is never scanned. */
    static final int FINISHED_RANK = 2;
    /**
     * A lower bound on {@code next_attempt_at} in the claim: a final command's is NULL, and H2 sorts
     * NULLs first in an index; the bound starts the index range after them.
     */
    private static final String NEVER = "TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00Z'";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final boolean postgres;
    private final Clock clock;
    private final String instanceId = UUID.randomUUID().toString();
    private final List<CallListener> callListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told of every call to a cloud as it is recorded (metrics). */
    public interface CallListener {
        void called(String operation, Integer httpStatus, long durationMs);
    }

    public void onCall(CallListener listener) {
        callListeners.add(listener);
    }

    public Ledger(DataSource dataSource, Clock clock) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.clock = clock;
        this.postgres = LedgerDatabase.isPostgres(dataSource);
    }

    /** Runs several ledger writes as one transaction (one commit for a chunk of a hundred devices). */
    public void inTransaction(Runnable writes) {
        tx.executeWithoutResult(status -> writes.run());
    }

    /**
     * Runs {@code action} once the transaction the caller is in commits (at once when it is in
     * none); a rolled-back transaction runs nothing. Listeners (logs, metrics, fan-out) are told of
     * committed writes only.
     */
    public void afterCommit(Runnable action) {
        if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
            org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                    new org.springframework.transaction.support.TransactionSynchronization() {
                        @Override
                        public void afterCommit() {
                            action.run();
                        }
                    });
        } else {
            action.run();
        }
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    TransactionTemplate tx() {
        return tx;
    }

    public Instant now() {
        return clock.instant();
    }

    // ---------------------------------------------------------------- requests

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
                    requestId, source, sourceName, ts(now()), documentDigest);
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
                ts(now()), requestId) == 1;
    }

    /** Requests whose intake is complete and whose commands are all final, not yet marked finished. */
    public List<String> requestsJustFinished() {
        return jdbc.queryForList("SELECT r.id FROM bridge_request r WHERE r.intake_complete = TRUE AND r.finished_at IS NULL "
                + "AND NOT EXISTS (SELECT 1 FROM bridge_command c WHERE c.request_id = r.id AND c.finished_at IS NULL)", String.class);
    }

    public void markFinished(String requestId) {
        Instant last = jdbc.queryForObject("SELECT MAX(finished_at) FROM bridge_command WHERE request_id = ?",
                (rs, i) -> instant(rs, 1), requestId);
        jdbc.update("UPDATE bridge_request SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                ts(last != null ? last : now()), requestId);
    }

    public List<RequestRecord> requestsToReport() {
        return jdbc.query("SELECT * FROM bridge_request WHERE finished_at IS NOT NULL AND reported_at IS NULL ORDER BY created_at",
                Ledger::mapRequest);
    }

    public void markReported(String requestId) {
        jdbc.update("UPDATE bridge_request SET reported_at = ? WHERE id = ?", ts(now()), requestId);
    }

    /** Requests still being worked on (not yet reported), oldest first. */
    public List<RequestRecord> openRequests() {
        return jdbc.query("SELECT * FROM bridge_request WHERE reported_at IS NULL ORDER BY created_at", Ledger::mapRequest);
    }

    /** Count of the request's commands per state label, plus {@code invalid} and {@code intake_errors}. */
    public RequestCounts counts(String requestId) {
        Map<String, Integer> byState = new java.util.TreeMap<>();
        jdbc.query("SELECT state, invalid, COUNT(*) FROM bridge_command WHERE request_id = ? AND internal = FALSE "
                        + "GROUP BY state, invalid",
                rs -> {
                    String key = rs.getBoolean(2) ? "invalid" : rs.getString(1);
                    byState.merge(key, rs.getInt(3), Integer::sum);
                }, requestId);
        Integer intakeErrors = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_intake_error WHERE request_id = ?",
                Integer.class, requestId);
        byState.merge("invalid", intakeErrors == null ? 0 : intakeErrors, Integer::sum);
        return new RequestCounts(byState);
    }

    // ---------------------------------------------------------------- intake

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
        Instant now = now();
        Integer added = tx.execute(status -> {
            java.util.Set<String> existing = new java.util.HashSet<>();
            for (int from = 0; from < commands.size(); from += 500) {
                List<NewCommand> part = commands.subList(from, Math.min(commands.size(), from + 500));
                String marks = String.join(",", java.util.Collections.nCopies(part.size(), "?"));
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
            jdbc.batchUpdate("INSERT INTO bridge_transition (command_id, at, from_state, to_state, reason) VALUES (?, ?, NULL, ?, ?)",
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

    /** Every record of the request that never became a runnable command, in batch order. */
    public void forEachRejectedRecord(String requestId, Consumer<RejectedRecord> consumer) {
        jdbc.query("SELECT seq, record_ref, reason, raw FROM bridge_intake_error WHERE request_id = ? "
                        + "UNION ALL SELECT seq, record_ref, reason, payload FROM bridge_command WHERE request_id = ? AND invalid = TRUE "
                        + "ORDER BY 1",
                rs -> {
                    consumer.accept(new RejectedRecord(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }, requestId, requestId);
    }

    // ---------------------------------------------------------------- work

    /**
     * Claims up to {@code limit} commands of one kind whose next step is due, leasing each for
     * {@code lease} so no other poller (in this JVM or another instance) takes it meanwhile, in one
     * lock-and-fetch statement on PostgreSQL ({@code UPDATE ... FOR UPDATE SKIP LOCKED ... RETURNING});
     * on H2, embedded in this one process, an indexed pick and an {@code OLD TABLE (UPDATE ...)} of
     * the rows picked, serialised in this JVM.
     * <p>
     * Started work goes first: every due step of an action already begun ({@code queue_rank} 0: an
     * upload after its create, a poll, a retry) before any new one (rank 1), then by due time and
     * batch order. Each rank is read as a range of the index {@code bridge_command_due} holding due
     * steps only, so the cost of a claim does not grow with the backlog nor with the history. A command past its deadline is not claimed: it gets no new call,
     * and ends {@code Command TimeOut}. Commands of a batch still being read wait until they are
     * {@code gather} old, so that a caller combining several commands in one call finds the rest of
     * the batch beside them.
     * <p>
     * {@code sent} maps a phase whose call must not be repeated blindly to the phase that says "sent,
     * answer not recorded" (e.g. {@code CREATE -> CREATE_SENT}): the claim writes it with the lease,
     * in the same statement, so it is stored before the call leaves; the step that records the answer
     * moves the phase on. The commands come back as they were before the claim, with the phase of the
     * step to make now.
     */
    public List<CommandRecord> claimDue(String kind, int limit, Duration lease, Duration gather, Map<String, String> sent) {
        if (limit <= 0) {
            return List.of();
        }
        Instant now = now();
        StringBuilder set = new StringBuilder("lease_owner = ?, lease_until = ?");
        List<Object> args = new ArrayList<>(List.of(instanceId, ts(now.plus(lease))));
        if (!sent.isEmpty()) {
            String row = postgres ? "c." : ""; // PostgreSQL: the row updated, not the picked one of the same names
            set.append(", updated_at = CASE WHEN ").append(row).append("phase IN (")
                    .append(String.join(", ", java.util.Collections.nCopies(sent.size(), "?")))
                    .append(") THEN ? ELSE ").append(row).append("updated_at END, phase = CASE ").append(row).append("phase");
            args.addAll(sent.keySet());
            args.add(ts(now));
            sent.forEach((from, to) -> {
                set.append(" WHEN ? THEN ?");
                args.add(from);
                args.add(to);
            });
            set.append(" ELSE ").append(row).append("phase END");
        }
        List<Object> pickArgs = new ArrayList<>();
        String pick = "";
        for (int rank = 0; rank < FINISHED_RANK; rank++) { // rank by rank: each an index range of due steps only
            pickArgs.addAll(List.of(kind, ts(now), ts(now), ts(now)));
            String batchRead = "";
            if (!gather.isZero()) {
                batchRead = " AND (created_at <= ? OR EXISTS (SELECT 1 FROM bridge_request r WHERE r.id = request_id AND r.intake_complete = TRUE))";
                pickArgs.add(ts(now.minus(gather)));
            }
            pick += (rank == 0 ? "" : " UNION ALL ") + "SELECT * FROM (SELECT id, queue_rank, next_attempt_at, seq FROM bridge_command WHERE kind = ? AND queue_rank = "
                    + rank + " AND next_attempt_at > " + NEVER + " AND next_attempt_at <= ? AND finished_at IS NULL"
                    + " AND (lease_until IS NULL OR lease_until < ?) AND (deadline_at IS NULL OR deadline_at >= ?)" + batchRead
                    + " ORDER BY kind, queue_rank, next_attempt_at, seq FETCH FIRST " + limit + " ROWS ONLY" + (postgres ? " FOR UPDATE SKIP LOCKED" : "")
                    + ") rank" + rank;
        }
        String due = "SELECT id FROM (" + pick + ") due ORDER BY queue_rank, next_attempt_at, seq FETCH FIRST " + limit + " ROWS ONLY";
        List<CommandRecord> claimed;
        if (postgres) {
            args.addAll(pickArgs);
            claimed = jdbc.query("UPDATE bridge_command c SET " + set + " FROM (SELECT " + COMMAND_COLUMNS
                    + " FROM bridge_command WHERE id IN (" + due + ")) picked WHERE c.id = picked.id RETURNING " + prefixed("picked."),
                    Ledger::mapCommand, args.toArray());
        } else {
            // H2 is embedded in this one process: the claim is serialised here, and its UPDATE names the
            // rows (H2 runs an UPDATE over IN (subquery) far slower than over a list of keys)
            synchronized (this) {
                List<String> ids = jdbc.queryForList(due, String.class, pickArgs.toArray());
                if (ids.isEmpty()) {
                    return List.of();
                }
                args.addAll(ids);
                args.add(ts(now));
                claimed = jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM OLD TABLE (UPDATE bridge_command SET " + set + " WHERE id IN ("
                        + String.join(",", java.util.Collections.nCopies(ids.size(), "?")) + ") AND (lease_until IS NULL OR lease_until < ?))",
                        Ledger::mapCommand, args.toArray());
            }
        }
        return claimed.stream().sorted(java.util.Comparator.comparing(CommandRecord::nextAttemptAt).thenComparing(CommandRecord::seq))
                .toList();
    }

    /** {@link #claimDue(String, int, Duration, Duration, Map)} of steps that may be repeated as they are. */
    public List<CommandRecord> claimDue(String kind, int limit, Duration lease, Duration gather) {
        return claimDue(kind, limit, lease, gather, Map.of());
    }

    private static String prefixed(String alias) {
        return java.util.Arrays.stream(COMMAND_COLUMNS.split(",\\s*")).map(c -> alias + c).collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * Claims one chunk of due commands of a kind for a single cloud call: from one request only
     * (the one served longest ago, so requests take turns and a huge batch cannot starve a small
     * one), all with the same payload (so they fit one call), at most {@code limit}, in batch order.
     * A command past its deadline is not claimed.
     */
    public List<CommandRecord> claimChunk(String kind, int limit, Duration lease) {
        Instant now = now();
        List<String> requests = jdbc.queryForList("SELECT c.request_id FROM bridge_command c JOIN bridge_request r ON r.id = c.request_id "
                        + "WHERE c.kind = ? AND c.finished_at IS NULL AND c.next_attempt_at <= ? AND (c.lease_until IS NULL OR c.lease_until < ?) "
                        + "AND (c.deadline_at IS NULL OR c.deadline_at >= ?) "
                        + "GROUP BY c.request_id, r.last_served_at, r.created_at ORDER BY r.last_served_at NULLS FIRST, r.created_at",
                String.class, kind, ts(now), ts(now), ts(now));
        for (String requestId : requests) {
            List<String> payloads = jdbc.queryForList("SELECT payload FROM bridge_command WHERE request_id = ? AND kind = ? "
                            + "AND finished_at IS NULL AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) "
                            + "AND (deadline_at IS NULL OR deadline_at >= ?) ORDER BY seq, position FETCH FIRST 1 ROWS ONLY",
                    String.class, requestId, kind, ts(now), ts(now), ts(now));
            if (payloads.isEmpty()) {
                continue;
            }
            List<String> ids = jdbc.queryForList("SELECT id FROM bridge_command WHERE request_id = ? AND kind = ? AND payload = ? "
                            + "AND finished_at IS NULL AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) "
                            + "AND (deadline_at IS NULL OR deadline_at >= ?) ORDER BY seq, position FETCH FIRST " + limit + " ROWS ONLY",
                    String.class, requestId, kind, payloads.get(0), ts(now), ts(now), ts(now));
            List<CommandRecord> claimed = leaseAll(ids, now, lease);
            if (!claimed.isEmpty()) {
                jdbc.update("UPDATE bridge_request SET last_served_at = ? WHERE id = ?", ts(now), requestId);
                return claimed;
            }
        }
        return List.of();
    }

    /** Is any command of the kind due now (and not leased, nor past its deadline)? Rank by rank, in the index of due steps. */
    public boolean anyDue(String kind) {
        Instant now = now();
        for (int rank = 0; rank < FINISHED_RANK; rank++) {
            if (!jdbc.queryForList("SELECT id FROM bridge_command WHERE kind = ? AND queue_rank = " + rank + " AND next_attempt_at > "
                    + NEVER + " AND next_attempt_at <= ? AND finished_at IS NULL AND (lease_until IS NULL OR lease_until < ?) "
                    + "AND (deadline_at IS NULL OR deadline_at >= ?) ORDER BY kind, queue_rank, next_attempt_at FETCH FIRST 1 ROWS ONLY",
                    String.class, kind, ts(now), ts(now), ts(now)).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Stores what an adapter wants shown with the command's result (JSON). */
    public void saveResultDetail(String commandId, String json) {
        jdbc.update("UPDATE bridge_command SET result_detail = ? WHERE id = ?", json, commandId);
    }

    /** Leases those of {@code ids} that are free, in two statements; returns them in the order given. */
    private List<CommandRecord> leaseAll(List<String> ids, Instant now, Duration lease) {
        if (ids.isEmpty()) {
            return List.of();
        }
        String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
        String token = UUID.randomUUID().toString(); // this claim's own mark, to read back exactly what it won
        List<Object> args = new ArrayList<>(List.of(token, ts(now.plus(lease))));
        args.addAll(ids);
        args.add(ts(now));
        jdbc.update("UPDATE bridge_command SET lease_owner = ?, lease_until = ? WHERE id IN (" + marks + ") AND finished_at IS NULL "
                + "AND (lease_until IS NULL OR lease_until < ?)", args.toArray());
        List<CommandRecord> won = jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE lease_owner = ? "
                + "ORDER BY seq, position", Ledger::mapCommand, token);
        return won;
    }

    /** Ends a lease early, so the next step (if due now) is taken on the next tick. */
    public void release(String commandId) {
        jdbc.update("UPDATE bridge_command SET lease_owner = NULL, lease_until = NULL WHERE id = ?", commandId);
    }

    /** Saves an adapter's progress on a command (no state change: that is {@link LedgerTransitions}' job). */
    public void saveProgress(String commandId, Progress p) {
        jdbc.update("UPDATE bridge_command SET phase = COALESCE(?, phase), vendor_ref = COALESCE(?, vendor_ref), "
                        + "vendor_status = COALESCE(?, vendor_status), vendor_data = COALESCE(?, vendor_data), "
                        + "attempts = ?, polls = polls + ?, next_attempt_at = ?, queue_rank = 0, lease_owner = NULL, lease_until = NULL, updated_at = ? "
                        + "WHERE id = ? AND finished_at IS NULL", // a late answer never rewrites a final command
                p.phase(), p.vendorRef(), p.vendorStatus(), p.vendorData(), p.attempts(), p.polled() ? 1 : 0,
                ts(p.nextAttemptAt()), ts(now()), commandId);
    }

    /** Is this cloud action id the vendor reference of any command of the kind? */
    public boolean isKnownVendorRef(String kind, String vendorRef) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_command WHERE kind = ? AND vendor_ref = ?", Integer.class,
                kind, vendorRef);
        return n != null && n > 0;
    }

    /**
     * Commands past their deadline that are not final yet and have no call in flight: a leased
     * command (a step being made for it) is left to its answer; the deadline applies once the
     * lease ends, if the command is still not final then.
     */
    public List<String> overdue(int limit) {
        Instant now = now();
        return jdbc.queryForList("SELECT id FROM bridge_command WHERE finished_at IS NULL AND deadline_at < ? "
                        + "AND (lease_until IS NULL OR lease_until < ?) ORDER BY deadline_at FETCH FIRST " + limit + " ROWS ONLY",
                String.class, ts(now), ts(now));
    }

    /**
     * Takes an overdue command for the deadline watch: leases it for {@code hold} if it is still
     * past its deadline, not final and not leased, so that no adapter claims it meanwhile.
     *
     * @return false when it is not overdue any more, or a call is in flight for it
     */
    public boolean leaseOverdue(String commandId, Duration hold) {
        Instant now = now();
        return jdbc.update("UPDATE bridge_command SET lease_owner = ?, lease_until = ? WHERE id = ? AND finished_at IS NULL "
                + "AND deadline_at < ? AND (lease_until IS NULL OR lease_until < ?)", instanceId, ts(now.plus(hold)), commandId,
                ts(now), ts(now)) == 1;
    }

    public Optional<CommandRecord> command(String id) {
        return jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE id = ?", Ledger::mapCommand, id)
                .stream().findFirst();
    }

    public Optional<CommandRecord> commandByVendorRef(String kind, String vendorRef) {
        return jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE kind = ? AND vendor_ref = ?",
                Ledger::mapCommand, kind, vendorRef).stream().findFirst();
    }

    /** Streams the request's commands (not the bridge's internal ones) in batch order (the result file of a huge batch never sits in memory). */
    public void forEachCommand(String requestId, Consumer<CommandRecord> consumer) {
        jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE request_id = ? AND internal = FALSE "
                        + "ORDER BY seq, position",
                rs -> {
                    consumer.accept(mapCommand(rs, 0));
                }, requestId);
    }

    public List<Transition> transitions(String commandId) {
        return jdbc.query("SELECT at, from_state, to_state, vendor_status, vendor_request_id, reason FROM bridge_transition "
                + "WHERE command_id = ? ORDER BY id", (rs, i) -> new Transition(instant(rs, 1),
                rs.getString(2) == null ? null : CommandState.of(rs.getString(2)), CommandState.of(rs.getString(3)),
                rs.getString(4), rs.getString(5), rs.getString(6)), commandId);
    }

    // ---------------------------------------------------------------- calls

    /** Records one call to a cloud and its outcome. {@code error} must already be free of secrets. */
    public void recordCall(String commandId, String operation, Integer httpStatus, String vendorRequestId, long durationMs,
                           String error) {
        afterCommit(() -> callListeners.forEach(l -> l.called(operation, httpStatus, durationMs)));
        jdbc.update("INSERT INTO bridge_call (command_id, at, operation, http_status, vendor_request_id, duration_ms, error) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", commandId, ts(now()), operation, httpStatus, vendorRequestId, durationMs, error);
    }

    /** Records one call made for several commands at once (a chunk): a row per command, one call for the listeners. */
    public void recordCalls(List<String> commandIds, String operation, Integer httpStatus, String vendorRequestId, long durationMs,
                            String error) {
        afterCommit(() -> callListeners.forEach(l -> l.called(operation, httpStatus, durationMs)));
        Instant now = now();
        jdbc.batchUpdate("INSERT INTO bridge_call (command_id, at, operation, http_status, vendor_request_id, duration_ms, error) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                commandIds.stream().map(id -> new Object[] {id, ts(now), operation, httpStatus, vendorRequestId, durationMs, error}).toList());
    }

    public List<String> vendorRequestIds(String commandId) {
        return jdbc.queryForList("SELECT vendor_request_id FROM bridge_call WHERE command_id = ? AND vendor_request_id IS NOT NULL "
                + "ORDER BY id", String.class, commandId);
    }

    public List<CallRecord> calls(String commandId) {
        return jdbc.query("SELECT at, operation, http_status, vendor_request_id, duration_ms, error FROM bridge_call "
                + "WHERE command_id = ? ORDER BY id", (rs, i) -> new CallRecord(instant(rs, 1), rs.getString(2),
                (Integer) rs.getObject(3), rs.getString(4), rs.getLong(5), rs.getString(6)), commandId);
    }

    /** A device's pull-model commands that are ready for it (queued) or delivered and not yet acknowledged, oldest first. */
    public List<CommandRecord> inboxFor(String kind, String device) {
        return jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE kind = ? AND device = ? AND state IN (?, ?) "
                        + "ORDER BY created_at, seq, position", Ledger::mapCommand, kind, device,
                CommandState.QUEUED.label(), CommandState.INITIATED.label());
    }

    /** Scheduled commands whose time has come. */
    public List<String> dueScheduled(int limit) {
        return jdbc.queryForList("SELECT id FROM bridge_command WHERE state = ? AND next_attempt_at <= ? ORDER BY next_attempt_at "
                + "FETCH FIRST " + limit + " ROWS ONLY", String.class, CommandState.SCHEDULED.label(), ts(now()));
    }

    /**
     * One page of commands, oldest first, filtered (each filter optional).
     *
     * @param requestIds any of these requests; {@code devices} likewise; {@code state} exactly this state
     */
    public Page<CommandRecord> findCommands(List<String> requestIds, List<String> devices, CommandState state,
                                            boolean excludeInternal, int limit, int offset) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (!requestIds.isEmpty()) {
            where.append(" AND request_id IN (").append(String.join(",", java.util.Collections.nCopies(requestIds.size(), "?"))).append(')');
            args.addAll(requestIds);
        }
        if (!devices.isEmpty()) {
            where.append(" AND device IN (").append(String.join(",", java.util.Collections.nCopies(devices.size(), "?"))).append(')');
            args.addAll(devices);
        }
        if (state != null) {
            where.append(" AND state = ?");
            args.add(state.label());
        }
        if (excludeInternal) {
            where.append(" AND internal = FALSE");
        }
        Integer total = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_command" + where, Integer.class, args.toArray());
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(offset);
        pageArgs.add(limit);
        List<CommandRecord> items = jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command" + where
                + " ORDER BY created_at, seq, position, id OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", Ledger::mapCommand, pageArgs.toArray());
        return new Page<>(total == null ? 0 : total, items);
    }

    /** A page of a longer list, with the list's full size. */
    public record Page<T>(int total, List<T> items) {
    }

    /**
     * Records a housekeeping command of the bridge's own (e.g. an action the bridge abandoned and
     * replaced), final at once, marked internal so status listings can hide it.
     */
    public void recordInternal(CommandRecord about, String id, String vendorRef, CommandState state, String reason) {
        Instant now = now();
        if (command(id).isPresent()) {
            return; // recorded before (the step is being repeated after a restart)
        }
        tx.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO bridge_command (id, request_id, seq, position, record_ref, action_id, kind, device, state, invalid, "
                            + "internal, payload, phase, vendor_ref, reason, created_at, updated_at, finished_at, queue_rank) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, TRUE, NULL, 'DONE', ?, ?, ?, ?, ?, " + FINISHED_RANK + ")",
                    id, about.requestId(), about.seq(), about.position(), about.recordRef(), about.actionId(), about.kind(), about.device(),
                    state.label(), vendorRef, reason, ts(now), ts(now), ts(now));
            jdbc.update("INSERT INTO bridge_transition (command_id, at, from_state, to_state, reason) VALUES (?, ?, NULL, ?, ?)",
                    id, ts(now), state.label(), reason);
        });
    }

    /** How many commands there are per kind and state: {@code [kind, state label, count]} rows. */
    public List<Object[]> countsByKindAndState() {
        return jdbc.query("SELECT kind, state, COUNT(*) FROM bridge_command WHERE internal = FALSE GROUP BY kind, state",
                (rs, i) -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)});
    }

    /** Per request, its commands of a kind that are not final yet and the earliest deadline among them. */
    public List<Backlog> backlog(String kind) {
        return jdbc.query("SELECT request_id, COUNT(*), MIN(deadline_at) FROM bridge_command WHERE kind = ? AND finished_at IS NULL "
                + "GROUP BY request_id", (rs, i) -> new Backlog(rs.getString(1), rs.getInt(2), instant(rs, 3)), kind);
    }

    /** A request's commands not final yet (of one kind), and their earliest deadline (null: none has one). */
    public record Backlog(String requestId, int commands, Instant earliestDeadline) {
    }

    /** Commands of a kind that are due now (work waiting, e.g. for a rate-limit slot). */
    public int dueCount(String kind) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_command WHERE kind = ? AND finished_at IS NULL "
                + "AND next_attempt_at <= ?", Integer.class, kind, ts(now()));
        return n == null ? 0 : n;
    }

    /** The newest call made by any of these operations: {@code http status (null: no answer), at}; empty if none. */
    public Optional<CallRecord> lastCall(List<String> operations) {
        String marks = String.join(",", java.util.Collections.nCopies(operations.size(), "?"));
        return jdbc.query("SELECT at, operation, http_status, vendor_request_id, duration_ms, error FROM bridge_call WHERE operation IN ("
                + marks + ") ORDER BY id DESC FETCH FIRST 1 ROWS ONLY", (rs, i) -> new CallRecord(instant(rs, 1), rs.getString(2),
                (Integer) rs.getObject(3), rs.getString(4), rs.getLong(5), rs.getString(6)), operations.toArray()).stream().findFirst();
    }

    /** Is the database answering? */
    public boolean ping() {
        Integer one = jdbc.queryForObject("SELECT 1", Integer.class);
        return one != null && one == 1;
    }

    /** Count of commands not final yet (all kinds). */
    public int unfinishedCommands() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_command WHERE finished_at IS NULL", Integer.class);
        return n == null ? 0 : n;
    }

    // ---------------------------------------------------------------- mapping

    /**
     * Binds an instant as {@code OffsetDateTime} in UTC, not {@code java.sql.Timestamp}: H2 turns a
     * Timestamp into local time of the JVM zone first, so in the hour repeated when clocks go back
     * it stores an instant one hour off.
     */
    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static RequestRecord mapRequest(ResultSet rs, int row) throws SQLException {
        return new RequestRecord(rs.getString("id"), rs.getString("source"), rs.getString("source_name"),
                rs.getBoolean("intake_complete"), instant(rs, "created_at"), instant(rs, "intake_done_at"),
                instant(rs, "finished_at"), instant(rs, "reported_at"), rs.getString("document_digest"));
    }

    static CommandRecord mapCommand(ResultSet rs, int row) throws SQLException {
        return new CommandRecord(rs.getString("id"), rs.getString("request_id"), rs.getInt("seq"), rs.getInt("position"),
                rs.getString("record_ref"),
                rs.getString("action_id"), rs.getString("kind"), rs.getString("device"), CommandState.of(rs.getString("state")),
                rs.getBoolean("invalid"), rs.getBoolean("internal"), rs.getString("payload"), rs.getString("phase"),
                rs.getString("vendor_ref"), rs.getString("vendor_status"), rs.getString("vendor_data"), rs.getString("reason"),
                rs.getInt("attempts"), rs.getInt("polls"), instant(rs, "next_attempt_at"), instant(rs, "deadline_at"),
                instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "finished_at"), rs.getString("result_detail"));
    }


    static final ZoneOffset UTC = ZoneOffset.UTC;
}
