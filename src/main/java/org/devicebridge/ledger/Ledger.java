package org.devicebridge.ledger;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/**
 * The ledger's database: requests, commands, calls and intake errors, stored durably through JDBC.
 * <p>
 * This is the core every part of the ledger shares: the connection ({@link JdbcTemplate}), the
 * transactions ({@link #inTransaction}, {@link #afterCommit}), the clock, the dialect, and the
 * mapping of rows to records. The reads and writes themselves are in its parts, each built on this
 * core:
 * <ul>
 * <li>{@link WorkQueue}: the work queue and its leases (what is due, claimed, released, overdue);</li>
 * <li>{@link CommandStore}: requests and commands, the write side of intake and housekeeping;</li>
 * <li>{@link CallLog}: every call made to a cloud;</li>
 * <li>{@link LedgerReads}: the read model the status API, reports, metrics and health use;</li>
 * <li>{@link LedgerTransitions}: state changes (one place for the state machine).</li>
 * </ul>
 */
public class Ledger {

    /** The columns {@link #mapCommand} reads, by position: every query it maps selects them first, in this order. */
    static final String COMMAND_COLUMNS = "id, request_id, seq, position, record_ref, action_id, kind, device, state, invalid, "
            + "internal, payload, phase, vendor_ref, vendor_status, vendor_data, reason, attempts, polls, next_attempt_at, "
            + "deadline_at, created_at, updated_at, finished_at, result_detail";

    /** {@code queue_rank} of a final command: below every claim's range, so history is never scanned. */
    static final int FINISHED_RANK = 2;

    /**
     * The number ({@code list_no}) of the command whose id is bound here: transitions and calls refer
     * to their command by it ({@code command_no}), a BIGINT in place of the 36-character id.
     */
    public static final String COMMAND_NO = "(SELECT list_no FROM bridge_command WHERE id = ?)";

    /** A command's first transition, as it is written: command id, at, state, reason. */
    static final String INSERT_FIRST_TRANSITION = "INSERT INTO bridge_transition (command_no, at, to_state, reason) "
            + "VALUES (" + COMMAND_NO + ", ?, ?, ?)";

    /** {@code n} bind markers for an {@code IN (...)} list: {@code ?,?,?}. */
    public static String marks(int n) {
        return String.join(",", java.util.Collections.nCopies(n, "?"));
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    /** A step of a group commit ({@link GroupCommit}): each in a savepoint of the group's transaction. */
    private final TransactionTemplate nested;
    /** The after-commit actions of the group-commit step running on this thread, told only if that step is kept. */
    private final ThreadLocal<java.util.List<Runnable>> stepAfterCommit = new ThreadLocal<>();
    private final boolean postgres;
    private final Clock clock;
    private final String instanceId = UUID.randomUUID().toString();

    public Ledger(DataSource dataSource, Clock clock) {
        this.jdbc = new JdbcTemplate(dataSource);
        DataSourceTransactionManager manager = new DataSourceTransactionManager(dataSource);
        this.tx = new TransactionTemplate(manager);
        this.nested = new TransactionTemplate(manager);
        this.nested.setPropagationBehavior(TransactionTemplate.PROPAGATION_NESTED);
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
        java.util.List<Runnable> step = stepAfterCommit.get();
        if (step != null) {
            step.add(action); // a step of a group commit: told by its own worker once the group commits, unless it rolled back
            return;
        }
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

    /**
     * Runs one step of a group commit inside the group's transaction, in a savepoint of its own: when
     * it throws, its writes are undone and the others' kept. Its after-commit actions are collected
     * into {@code afterCommit} instead of being registered with the group's transaction.
     */
    void groupStep(Runnable writes, java.util.List<Runnable> afterCommit) {
        stepAfterCommit.set(afterCommit);
        try {
            nested.executeWithoutResult(status -> writes.run());
        } finally {
            stepAfterCommit.remove();
        }
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    TransactionTemplate tx() {
        return tx;
    }

    /**
     * The ledger's clock, in microseconds: what H2 and PostgreSQL store of a timestamp. A time with
     * nanoseconds (Java's clock on Linux) was rounded as it was stored, up half of the time, so a row
     * written as due "now" was not due when asked with that same "now" (a new event stream then waited
     * a whole tick for its first round).
     */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** Whether the ledger is on PostgreSQL (else H2). */
    boolean postgres() {
        return postgres;
    }

    /** This bridge instance's mark on the leases it takes. */
    String instanceId() {
        return instanceId;
    }

    /** A command as it is now (the state machine and {@link CommandStore#command} read it). */
    Optional<CommandRecord> command(String id) {
        return jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE id = ?", Ledger::mapCommand, id)
                .stream().findFirst();
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

    static RequestRecord mapRequest(ResultSet rs, int row) throws SQLException {
        return new RequestRecord(rs.getString("id"), rs.getString("source"), rs.getString("source_name"),
                rs.getBoolean("intake_complete"), instant(rs, "created_at"), instant(rs, "intake_done_at"),
                instant(rs, "finished_at"), instant(rs, "reported_at"), rs.getString("document_digest"));
    }

    /** A row whose first columns are {@link #COMMAND_COLUMNS}, in that order (read by position: no look-up by name per value). */
    static CommandRecord mapCommand(ResultSet rs, int row) throws SQLException {
        return new CommandRecord(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), CommandState.of(rs.getString(9)),
                rs.getBoolean(10), rs.getBoolean(11), rs.getString(12), rs.getString(13),
                rs.getString(14), rs.getString(15), rs.getString(16), rs.getString(17),
                rs.getInt(18), rs.getInt(19), instant(rs, 20), instant(rs, 21),
                instant(rs, 22), instant(rs, 23), instant(rs, 24), rs.getString(25));
    }


    static final ZoneOffset UTC = ZoneOffset.UTC;
}
