package org.devicebridge.fanout;

import org.devicebridge.ledger.Ledger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The webhook fan-out's tables (V3): each subscriber's cursors over the transition log and over
 * the log of finished requests, its lease, and the delivery log. Reads {@code bridge_transition},
 * {@code bridge_command} and {@code bridge_request}; never writes them.
 * <p>
 * Transitions of internal commands (the bridge's own housekeeping) are not announced: they are
 * skipped by every query here.
 * <p>
 * The logs are read in id order, and an id is given out when its row is written, not when its
 * transaction commits: with several writers, a later id can be committed while an earlier one is
 * not yet. A cursor that moved past the later one would never see the earlier. So a cursor reads
 * each log only up to the first id it cannot see, until the row after that id is {@code gapWait}
 * old: a write is then taken for rolled back (a step that failed, an identity value H2 lost in a
 * crash) and the cursor goes on without it.
 */
public class SubscriberLedger {

    /** How long a cursor waits for an id it cannot see when it can see a later one (bridge.webhooks.gap-wait). */
    public static final Duration GAP_WAIT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(SubscriberLedger.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final boolean postgres;
    private final Duration gapWait;

    public SubscriberLedger(DataSource dataSource) {
        this(dataSource, GAP_WAIT);
    }

    /** @param gapWait how long the rows after an id not visible wait for it (see above) */
    public SubscriberLedger(DataSource dataSource, Duration gapWait) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.postgres = org.devicebridge.ledger.LedgerDatabase.isPostgres(dataSource);
        this.gapWait = gapWait;
    }

    /** A subscriber's row as the planner needs it. */
    record Cursor(String name, long lastTransitionId, long lastFinishedId) {
    }

    /** One row of {@code bridge_transition}, for its event. */
    record TransitionRow(long id, String commandId, Instant at, String fromState, String toState, String vendorStatus,
                         String reason) {
    }

    /** The newest ids of the two logs a cursor reads. */
    record Head(long transition, long finished) {
    }

    /** One row of {@code bridge_finished_request}. */
    record FinishedRow(long id, String requestId, long lastTransitionId) {
    }

    // ---------------------------------------------------------------- subscribers

    /**
     * Adds a configured subscriber, or updates the URL of a known one. A new subscriber starts at
     * {@code since}: it is sent what happens from then on, not the whole history.
     */
    public void register(String name, String redactedUrl, Instant since, Instant now) {
        // requests are noted as they finish (CommandStore.markFinished); this catches up on any finished
        // without (by a version before that), and puts those finished before a new subscriber behind its cursor
        noteFinishedRequests(now);
        if (jdbc.update("UPDATE bridge_subscriber SET url = ? WHERE name = ?", redactedUrl, name) == 1) {
            return;
        }
        try {
            jdbc.update("INSERT INTO bridge_subscriber (name, url, last_transition_id, last_finished_id, next_attempt_at, created_at) "
                            + "VALUES (?, ?, (SELECT COALESCE(MAX(id), 0) FROM bridge_transition WHERE at <= ?), "
                            + "(SELECT COALESCE(MAX(id), 0) FROM bridge_finished_request WHERE found_at <= ?), ?, ?)",
                    name, redactedUrl, ts(since), ts(since), ts(now), ts(now));
        } catch (DuplicateKeyException e) {
            // another instance registered it meanwhile
        }
    }

    /** Subscribers of {@code names} whose next attempt is due, not paused and not being served. */
    List<Cursor> due(List<String> names, Instant now) {
        if (names.isEmpty()) {
            return List.of();
        }
        List<Object> args = new ArrayList<>(names);
        args.add(ts(now));
        args.add(ts(now));
        args.add(ts(now));
        return jdbc.query("SELECT name, last_transition_id, last_finished_id FROM bridge_subscriber WHERE name IN ("
                        + Ledger.marks(names.size()) + ") AND next_attempt_at <= ? AND (paused_until IS NULL OR paused_until <= ?) "
                        + "AND (lease_until IS NULL OR lease_until < ?) ORDER BY name",
                (rs, i) -> new Cursor(rs.getString(1), rs.getLong(2), rs.getLong(3)), args.toArray());
    }

    /** Leases a subscriber to one delivery round, if it is still free and its cursors have not moved. */
    boolean lease(Cursor c, String token, Instant now, Instant until) {
        return jdbc.update("UPDATE bridge_subscriber SET lease_owner = ?, lease_until = ? WHERE name = ? "
                        + "AND (lease_until IS NULL OR lease_until < ?) AND last_transition_id = ? AND last_finished_id = ?",
                token, ts(until), c.name(), ts(now), c.lastTransitionId(), c.lastFinishedId()) == 1;
    }

    /**
     * Is this delivery still the subscriber's next one (lease held, cursors where they were planned,
     * no failure since)? Extends the lease if so.
     */
    boolean stillNext(Delivery d, Instant now, Instant until) {
        return jdbc.update("UPDATE bridge_subscriber SET lease_until = ? WHERE name = ? AND lease_owner = ? "
                        + "AND last_transition_id = ? AND last_finished_id = ? AND next_attempt_at <= ?",
                ts(until), d.subscriber(), d.leaseToken(), d.afterTransition(), d.afterFinished(), ts(now)) == 1;
    }

    /**
     * Moves a cursor that no round holds from where it stands to these positions, nothing sent (see
     * {@link EventStreams#sendOnlyWhileListened}).
     *
     * @return false when it moved meanwhile or a round holds it
     */
    boolean passedOver(Cursor c, long toTransition, long toFinished, Instant now) {
        return jdbc.update("UPDATE bridge_subscriber SET last_transition_id = ?, last_finished_id = ? WHERE name = ? "
                        + "AND last_transition_id = ? AND last_finished_id = ? AND (lease_until IS NULL OR lease_until < ?)",
                toTransition, toFinished, c.name(), c.lastTransitionId(), c.lastFinishedId(), ts(now)) == 1;
    }

    void release(String name, String token) {
        jdbc.update("UPDATE bridge_subscriber SET lease_owner = NULL, lease_until = NULL WHERE name = ? AND lease_owner = ?",
                name, token);
    }

    /**
     * The subscriber took the event: its cursor moves past it, and, if the event failed before, its row
     * in the delivery log says delivered.
     */
    void delivered(Delivery d, Integer httpStatus, Instant now) {
        tx.executeWithoutResult(status -> {
            acceptedAfterFailing(List.of(d), httpStatus, now);
            jdbc.update("UPDATE bridge_subscriber SET last_transition_id = ?, last_finished_id = ?, attempts = 0, last_status = ?, "
                            + "last_error = NULL, last_delivered_at = ?, next_attempt_at = ? WHERE name = ? AND lease_owner = ? "
                            + "AND last_transition_id = ? AND last_finished_id = ?",
                    d.nextTransition(), d.nextFinished(), httpStatus, ts(now), ts(now), d.subscriber(), d.leaseToken(),
                    d.afterTransition(), d.afterFinished());
        });
    }

    /**
     * The subscriber took these events, the round's next ones in order: the cursor moves past the last,
     * and those that had failed before are marked delivered, in one transaction (an event stream records
     * a round's sends once, not one commit per event). With {@code endRound}, the round's lease goes in
     * the same statement (no commit of its own for {@link #release}).
     */
    void deliveredAll(List<Delivery> sent, Instant now, boolean endRound) {
        if (sent.isEmpty()) {
            return;
        }
        Delivery first = sent.get(0);
        Delivery last = sent.get(sent.size() - 1);
        tx.executeWithoutResult(status -> {
            acceptedAfterFailing(sent, null, now);
            jdbc.update("UPDATE bridge_subscriber SET last_transition_id = ?, last_finished_id = ?, attempts = 0, last_status = NULL, "
                            + "last_error = NULL, last_delivered_at = ?, next_attempt_at = ?"
                            + (endRound ? ", lease_owner = NULL, lease_until = NULL" : "") + " WHERE name = ? AND lease_owner = ? "
                            + "AND last_transition_id = ? AND last_finished_id = ?",
                    last.nextTransition(), last.nextFinished(), ts(now), ts(now), first.subscriber(), first.leaseToken(),
                    first.afterTransition(), first.afterFinished());
        });
    }

    /**
     * The attempt failed: the cursor stays, the subscriber is next tried at {@code retryAt}, and the
     * event is in the delivery log (its first failure adds its row, each later attempt updates it).
     *
     * @return how many attempts this event has had so far
     */
    int failed(Delivery d, Integer httpStatus, String error, Instant now, IntFunction<Instant> retryAt) {
        Integer attempts = tx.execute(status -> {
            int n = logFailure(d, httpStatus, error, now);
            jdbc.update("UPDATE bridge_subscriber SET attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ? "
                            + "WHERE name = ? AND lease_owner = ? AND last_transition_id = ? AND last_finished_id = ?",
                    n, httpStatus, error, ts(retryAt.apply(n)), d.subscriber(), d.leaseToken(), d.afterTransition(), d.afterFinished());
            return n;
        });
        return attempts == null ? 0 : attempts;
    }

    /**
     * Marks delivered those of the accepted events that have a row in the log (they failed before). An
     * event accepted at its first attempt has none and gets none: the cursor says it went, and a row for
     * each (five per command) would be a quarter of what the ledger keeps per finished command. Events
     * go out in order, so only a round's first can have failed before; all are looked up anyway, in one
     * statement (a probe of the unique index each).
     */
    private void acceptedAfterFailing(List<Delivery> accepted, Integer httpStatus, Instant now) {
        List<Object> args = new ArrayList<>();
        args.add(httpStatus); // null: an event stream's send, no HTTP status
        args.add(ts(now));
        args.add(ts(now));
        args.add(accepted.get(0).subscriber());
        accepted.forEach(d -> args.add(d.eventId()));
        jdbc.update("UPDATE bridge_webhook_delivery SET attempts = attempts + 1, http_status = ?, last_attempt_at = ?, "
                        + "delivered_at = COALESCE(delivered_at, ?) WHERE subscriber = ? AND event_id IN (" + Ledger.marks(accepted.size()) + ")",
                args.toArray());
    }

    /** Writes one failed attempt into the delivery log; returns the event's attempt count. */
    private int logFailure(Delivery d, Integer httpStatus, String error, Instant now) {
        if (firstFailure(d, httpStatus, error, now)) {
            return 1;
        }
        jdbc.update("UPDATE bridge_webhook_delivery SET attempts = attempts + 1, http_status = ?, "
                        + "last_error = COALESCE(?, last_error), last_attempt_at = ? WHERE subscriber = ? AND event_id = ?",
                httpStatus, error, ts(now), d.subscriber(), d.eventId());
        Integer n = jdbc.queryForObject("SELECT attempts FROM bridge_webhook_delivery WHERE subscriber = ? AND event_id = ?",
                Integer.class, d.subscriber(), d.eventId());
        return n == null ? 1 : n;
    }

    /**
     * Logs an event's first failed attempt, unless it has a row already (a failure before). An insert
     * first, not a look-up: it costs one probe of the unique index whatever the plans; H2 keeps the plan
     * a session made for a statement when the table was empty, and a look-up planned then reads every
     * row of the subscriber.
     */
    private boolean firstFailure(Delivery d, Integer httpStatus, String error, Instant now) {
        String insert = "INSERT INTO bridge_webhook_delivery (subscriber, event_id, event_type, transition_id, request_id, attempts, "
                + "http_status, last_error, first_attempt_at, last_attempt_at, delivered_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, NULL)";
        Object[] args = {d.subscriber(), d.eventId(), d.eventType(), d.isSummary() ? null : d.transitionId(), d.requestId(),
                httpStatus, error, ts(now), ts(now)};
        if (postgres) { // a failed statement would end the whole transaction
            return jdbc.update(insert + " ON CONFLICT (subscriber, event_id) DO NOTHING", args) == 1;
        }
        try {
            jdbc.update(insert, args);
            return true;
        } catch (DuplicateKeyException e) {
            return false; // H2 undoes the statement only; the transaction goes on
        }
    }

    /** Holds a subscriber back until {@code until} (null: resume now). */
    public boolean pause(String name, Instant until) {
        return jdbc.update("UPDATE bridge_subscriber SET paused_until = ? WHERE name = ?", ts(until), name) == 1;
    }

    // ---------------------------------------------------------------- the logs read

    /** The newest ids written to the logs now (two probes of their keys). */
    Head newest() {
        return jdbc.queryForObject("SELECT (SELECT COALESCE(MAX(id), 0) FROM bridge_transition), "
                + "(SELECT COALESCE(MAX(id), 0) FROM bridge_finished_request)", (rs, i) -> new Head(rs.getLong(1), rs.getLong(2)));
    }

    /** One row of a log as a cursor reads it: its id, when it was written, and whether it is announced. */
    private record Logged<T>(long id, Instant at, T announced) {
    }

    /**
     * The transitions to announce after {@code afterId}, in order, at most {@code limit}, up to the first id not
     * visible yet (see above). The internal commands' transitions are passed over, however many.
     */
    List<Long> transitionsAfter(long afterId, int limit, Instant now) {
        return readable("transition", afterId, limit, now, from -> jdbc.query("SELECT t.id, t.at, c.internal "
                        + "FROM bridge_transition t JOIN bridge_command c ON c.list_no = t.command_no WHERE t.id > ? ORDER BY t.id "
                        + "FETCH FIRST " + limit + " ROWS ONLY",
                (rs, i) -> new Logged<>(rs.getLong(1), instant(rs, 2), rs.getBoolean(3) ? null : rs.getLong(1)), from));
    }

    /** The finished requests after {@code afterId}, in order, at most {@code limit}, up to the first id not visible yet. */
    List<FinishedRow> finishedAfter(long afterId, int limit, Instant now) {
        return readable("finished request", afterId, limit, now, from -> jdbc.query("SELECT id, request_id, last_transition_id, found_at "
                        + "FROM bridge_finished_request WHERE id > ? ORDER BY id FETCH FIRST " + limit + " ROWS ONLY",
                (rs, i) -> new Logged<>(rs.getLong(1), instant(rs, 4), new FinishedRow(rs.getLong(1), rs.getString(2), rs.getLong(3))),
                from));
    }

    /**
     * What a cursor at {@code afterId} may take of a log, read {@code limit} rows at a time: the announced rows
     * in order, up to the first id missing (the id after the one before) while the row after it is younger than
     * {@link #gapWait}.
     */
    private <T> List<T> readable(String log, long afterId, int limit, Instant now, java.util.function.LongFunction<List<Logged<T>>> after) {
        List<T> out = new ArrayList<>();
        long last = afterId;
        while (true) {
            List<Logged<T>> rows = after.apply(last);
            for (Logged<T> row : rows) {
                if (row.id() != last + 1) {
                    if (now.isBefore(row.at().plus(gapWait))) {
                        return out; // an earlier write not committed yet: what comes after waits for it
                    }
                    LOG.info("{} ids {} to {}: not in the ledger {} after id {} was written; taken for rolled back and passed over "
                            + "(a write that commits later is not announced)", log, last + 1, row.id() - 1, gapWait, row.id());
                }
                last = row.id();
                if (row.announced() != null) {
                    out.add(row.announced());
                    if (out.size() == limit) {
                        return out;
                    }
                }
            }
            if (rows.size() < limit) {
                return out;
            }
        }
    }

    Optional<TransitionRow> transition(long id) {
        return jdbc.query("SELECT " + TRANSITION_COLUMNS + " WHERE t.id = ?", SubscriberLedger::mapTransition, id)
                .stream().findFirst();
    }

    /** These transitions, by id, in one query; an id the ledger no longer holds is left out. */
    Map<Long, TransitionRow> transitions(Collection<Long> ids) {
        Map<Long, TransitionRow> byId = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.query("SELECT " + TRANSITION_COLUMNS + " WHERE t.id IN (" + Ledger.marks(ids.size()) + ")",
                    SubscriberLedger::mapTransition, ids.toArray()).forEach(t -> byId.put(t.id(), t));
        }
        return byId;
    }

    /**
     * What {@link #mapTransition} reads, and from where: the transition with its command's id, and the state
     * it moved from, the to_state of the command's transition before it (V10_3), one probe of the
     * (command_no, id) index read backwards.
     */
    private static final String TRANSITION_COLUMNS = "t.id, c.id, t.at, (SELECT p.to_state FROM bridge_transition p "
            + "WHERE p.command_no = t.command_no AND p.id < t.id ORDER BY p.command_no DESC, p.id DESC FETCH FIRST 1 ROWS ONLY), "
            + "t.to_state, t.vendor_status, t.reason FROM bridge_transition t JOIN bridge_command c ON c.list_no = t.command_no";

    private static TransitionRow mapTransition(ResultSet rs, int row) throws SQLException {
        return new TransitionRow(rs.getLong(1), rs.getString(2), instant(rs, 3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7));
    }

    /**
     * Appends the finished requests not noted yet to {@code bridge_finished_request},
     * each with the last transition of its commands (its summary is announced after that one).
     */
    void noteFinishedRequests(Instant now) {
        try {
            jdbc.update("INSERT INTO bridge_finished_request (request_id, last_transition_id, found_at) "
                    + "SELECT r.id, COALESCE((SELECT MAX(t.id) FROM bridge_transition t JOIN bridge_command c ON c.list_no = t.command_no "
                    + "WHERE c.request_id = r.id AND c.internal = FALSE), 0), ? FROM bridge_request r "
                    + "WHERE r.finished_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bridge_finished_request f WHERE f.request_id = r.id) "
                    + "ORDER BY r.finished_at, r.id", ts(now));
        } catch (DuplicateKeyException e) {
            // another instance noted them at the same moment
        }
    }

    // ---------------------------------------------------------------- what the API and operators see

    /** The delivery log of one subscriber (the events that failed at least once), newest first. */
    public List<DeliveryRecord> deliveries(String subscriber, int limit) {
        return jdbc.query("SELECT subscriber, event_id, event_type, transition_id, request_id, attempts, http_status, last_error, "
                        + "first_attempt_at, last_attempt_at, delivered_at FROM bridge_webhook_delivery WHERE subscriber = ? "
                        + "ORDER BY id DESC FETCH FIRST " + Math.max(0, limit) + " ROWS ONLY",
                (rs, i) -> new DeliveryRecord(rs.getString(1), rs.getString(2), rs.getString(3), longOrNull(rs, 4),
                        rs.getString(5), rs.getInt(6), intOrNull(rs, 7), rs.getString(8), instant(rs, 9),
                        instant(rs, 10), instant(rs, 11)), subscriber);
    }

    public List<SubscriberStatus> subscribers(List<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        return jdbc.query("SELECT s.name, s.url, s.last_transition_id, (SELECT COUNT(*) FROM bridge_transition t "
                        + "JOIN bridge_command c ON c.list_no = t.command_no WHERE t.id > s.last_transition_id AND c.internal = FALSE), "
                        + "s.attempts, s.last_status, s.last_error, s.next_attempt_at, s.last_delivered_at, s.paused_until "
                        + "FROM bridge_subscriber s WHERE s.name IN (" + Ledger.marks(names.size()) + ") ORDER BY s.name",
                (rs, i) -> new SubscriberStatus(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getInt(5),
                        intOrNull(rs, 6), rs.getString(7), instant(rs, 8), instant(rs, 9), instant(rs, 10)),
                names.toArray());
    }

    /**
     * Every cursor on the transition log, webhook subscribers and event streams ({@code stream:<name>})
     * alike, for the operator console; {@code backlog} is how far the cursor is behind the newest
     * transition (an id difference: one key look-up, however far behind it is).
     */
    public List<SubscriberStatus> cursors() {
        return jdbc.query("SELECT s.name, s.url, s.last_transition_id, COALESCE((SELECT MAX(id) FROM bridge_transition), 0) "
                        + "- s.last_transition_id, s.attempts, s.last_status, s.last_error, s.next_attempt_at, s.last_delivered_at, "
                        + "s.paused_until FROM bridge_subscriber s ORDER BY s.name",
                (rs, i) -> new SubscriberStatus(rs.getString(1), rs.getString(2), rs.getLong(3), Math.max(0, rs.getLong(4)), rs.getInt(5),
                        intOrNull(rs, 6), rs.getString(7), instant(rs, 8), instant(rs, 9), instant(rs, 10)));
    }

    /** How many of the subscriber's events failed at least once and were last tried at {@code since} or later. */
    public int recentFailures(String subscriber, Instant since) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_webhook_delivery WHERE subscriber = ? AND last_attempt_at >= ?",
                Integer.class, subscriber, ts(since));
        return n == null ? 0 : n;
    }

    // ---------------------------------------------------------------- mapping


    /** Instants are bound as UTC {@code OffsetDateTime}s, as the ledger does (H2 shifts Timestamps by the JVM zone). */
    private static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Long longOrNull(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Integer intOrNull(ResultSet rs, int column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }
}
