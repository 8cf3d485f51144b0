package org.devicebridge.ledger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * How long the ledger keeps what it knows ({@code bridge.ledger.retention}): a request that is
 * reported (its result files written) and finished longer ago than the retention is removed, with
 * everything that hangs on it: its commands, their calls and transitions, its intake errors, its
 * entry in the log of finished requests and the webhook delivery log's rows of its events.
 * <p>
 * Nothing is removed that a reader of the transition log still needs: while any webhook subscriber
 * or event stream ({@code bridge_subscriber}) has not yet been sent one of the request's events
 * (a transition of one of its commands, or its summary), the request is kept, however old; it goes
 * on the first run after every cursor has passed it. A subscriber that stays down therefore holds
 * the ledger's growth back: each run names such cursors in a warning.
 * <p>
 * The webhook receiver's memory of event ids it applied ({@code CAMEL_MESSAGEPROCESSED}, the
 * bridge's own processor names only) is kept as long.
 * <p>
 * Work is done in bounded transactions ({@value #CHUNK} commands, intake errors or requests
 * each), so a huge backlog (the first run with a retention, a request of a million devices) never
 * holds one giant transaction; a run continues until nothing is left to remove. Several instances
 * on one database may run it at once: each removal is idempotent.
 */
public class LedgerRetention {

    /** Requests, commands (with their calls and transitions) or intake errors removed per transaction. */
    static final int CHUNK = 500;

    private static final Logger LOG = LoggerFactory.getLogger(LedgerRetention.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Duration retention;
    private final List<String> eventIdProcessors;
    private final int chunk;

    /**
     * @param eventIdProcessors the processor names of the bridge's own idempotent repositories in
     *                          {@code CAMEL_MESSAGEPROCESSED} (an embedding application may keep its own there)
     */
    public LedgerRetention(DataSource dataSource, Clock clock, Duration retention, List<String> eventIdProcessors) {
        this(dataSource, clock, retention, eventIdProcessors, CHUNK);
    }

    /** With {@code chunk} rows per transaction instead of {@value #CHUNK} (tests). */
    LedgerRetention(DataSource dataSource, Clock clock, Duration retention, List<String> eventIdProcessors, int chunk) {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative: " + retention);
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk must be at least 1: " + chunk);
        }
        this.chunk = chunk;
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.clock = clock;
        this.retention = retention;
        this.eventIdProcessors = List.copyOf(eventIdProcessors);
    }

    /**
     * What one run removed, and how many requests past the retention it kept because a webhook
     * subscriber or event stream has not been sent all their events yet.
     */
    public record Purged(int requests, int commands, int intakeErrors, int eventIds, int heldBack) {
    }

    /** One run of the housekeeping step (route {@code ledger-retention}). */
    public Purged purge() {
        Instant now = clock.instant();
        Instant cutoff = now.minus(retention);
        Cursors cursors = cursors();
        int requests = 0;
        int commands = 0;
        int intakeErrors = 0;
        while (true) {
            List<String> batch = expired(cutoff, cursors);
            if (batch.isEmpty()) {
                break;
            }
            commands += deleteCommands(batch);
            intakeErrors += deleteIntakeErrors(batch);
            int removed = deleteRequests(batch);
            requests += removed;
            if (batch.size() < chunk || removed == 0) {
                break; // the last batch; or none of it could go (taken in again meanwhile): the next run looks again
            }
        }
        int eventIds = deleteEventIds(cutoff);
        int heldBack = cursors.any() ? pastRetention(cutoff) : 0; // what is left of them was held back
        Purged purged = new Purged(requests, commands, intakeErrors, eventIds, heldBack);
        if (requests > 0 || eventIds > 0) {
            LOG.info("ledger retention ({}): removed {} requests finished before {} ({} commands with their calls and transitions, "
                    + "{} intake errors), {} webhook event ids", retention, requests, cutoff, commands, intakeErrors, eventIds);
        }
        if (heldBack > 0) {
            LOG.warn("ledger retention: {} requests finished before {} are kept until {} has been sent their events "
                    + "(a subscriber no longer configured keeps its cursor in bridge_subscriber: delete its row there)",
                    heldBack, cutoff, String.join(", ", cursors.slowest()));
        }
        return purged;
    }

    // ---------------------------------------------------------------- what goes

    /** The slowest cursors of the transition log and of the log of finished requests, over every subscriber and stream. */
    private record Cursors(int count, long transition, long finished, List<String> slowest) {
        boolean any() {
            return count > 0;
        }
    }

    private Cursors cursors() {
        Map<String, Object> row = jdbc.queryForMap("SELECT COUNT(*) AS n, MIN(last_transition_id) AS t, MIN(last_finished_id) AS f "
                + "FROM bridge_subscriber");
        int count = ((Number) row.get("n")).intValue();
        if (count == 0) {
            return new Cursors(0, 0, 0, List.of());
        }
        long transition = ((Number) row.get("t")).longValue();
        long finished = ((Number) row.get("f")).longValue();
        List<String> slowest = jdbc.queryForList("SELECT name FROM bridge_subscriber WHERE last_transition_id = ? OR last_finished_id = ? "
                + "ORDER BY name", String.class, transition, finished);
        return new Cursors(count, transition, finished, slowest);
    }

    /**
     * Requests past the retention whose every event has reached every cursor: each transition of
     * its commands (those of the bridge's internal commands are never sent) and its summary (noted
     * in {@code bridge_finished_request}, so not yet noted means not yet sent). With no cursor at
     * all, nothing waits.
     */
    private static final String PAST_EVERY_CURSOR = " AND EXISTS (SELECT 1 FROM bridge_finished_request f WHERE f.request_id = r.id "
            + "AND f.id <= ? AND f.last_transition_id <= ?) AND NOT EXISTS (SELECT 1 FROM bridge_command c "
            + "JOIN bridge_transition t ON t.command_no = c.list_no WHERE c.request_id = r.id AND c.internal = FALSE AND t.id > ?)";

    private List<String> expired(Instant cutoff, Cursors cursors) {
        String sql = "SELECT r.id FROM bridge_request r WHERE r.finished_at < ? AND r.reported_at IS NOT NULL"
                + (cursors.any() ? PAST_EVERY_CURSOR : "") + " ORDER BY r.finished_at, r.id FETCH FIRST " + chunk + " ROWS ONLY";
        return cursors.any()
                ? jdbc.queryForList(sql, String.class, Ledger.ts(cutoff), cursors.finished(), cursors.transition(), cursors.transition())
                : jdbc.queryForList(sql, String.class, Ledger.ts(cutoff));
    }

    /** Requests past the retention and reported (after a run: those kept for a cursor that has not passed them). */
    private int pastRetention(Instant cutoff) {
        Integer all = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_request r WHERE r.finished_at < ? AND r.reported_at IS NOT NULL",
                Integer.class, Ledger.ts(cutoff));
        return all == null ? 0 : all;
    }

    // ---------------------------------------------------------------- removal, in bounded transactions

    /** The requests' commands with their calls, transitions and the delivery log's rows of those transitions. */
    private int deleteCommands(List<String> requests) {
        String inRequests = Ledger.marks(requests.size());
        int deleted = 0;
        while (true) {
            // distinct: H2 2.3 may return a row twice from this index scan once rows before it were deleted
            List<Long> commands = List.copyOf(new LinkedHashSet<>(jdbc.queryForList("SELECT list_no FROM bridge_command "
                    + "WHERE request_id IN (" + inRequests + ") FETCH FIRST " + chunk + " ROWS ONLY", Long.class, requests.toArray())));
            if (commands.isEmpty()) {
                return deleted;
            }
            String in = Ledger.marks(commands.size());
            Object[] numbers = commands.toArray();
            Integer n = tx.execute(status -> {
                jdbc.update("DELETE FROM bridge_webhook_delivery WHERE transition_id IN "
                        + "(SELECT t.id FROM bridge_transition t WHERE t.command_no IN (" + in + "))", numbers);
                jdbc.update("DELETE FROM bridge_transition WHERE command_no IN (" + in + ")", numbers);
                jdbc.update("DELETE FROM bridge_call WHERE command_no IN (" + in + ")", numbers);
                return jdbc.update("DELETE FROM bridge_command WHERE list_no IN (" + in + ")", numbers);
            });
            deleted += n == null ? 0 : n;
        }
    }

    private int deleteIntakeErrors(List<String> requests) {
        String inRequests = Ledger.marks(requests.size());
        int deleted = 0;
        while (true) {
            List<Object[]> keys = jdbc.query("SELECT request_id, seq FROM bridge_intake_error WHERE request_id IN (" + inRequests + ") "
                    + "FETCH FIRST " + chunk + " ROWS ONLY", (rs, i) -> new Object[] {rs.getString(1), rs.getInt(2)}, requests.toArray());
            if (keys.isEmpty()) {
                return deleted;
            }
            deleted += deleteEach("DELETE FROM bridge_intake_error WHERE request_id = ? AND seq = ?", keys);
        }
    }

    /**
     * The requests themselves, with their summary's rows in the delivery log and in the log of
     * finished requests; only those with no command and no intake error left (a request taken in
     * again meanwhile stays).
     */
    private int deleteRequests(List<String> requests) {
        String in = Ledger.marks(requests.size());
        Integer deleted = tx.execute(status -> {
            List<String> empty = jdbc.queryForList("SELECT r.id FROM bridge_request r WHERE r.id IN (" + in + ") "
                    + "AND NOT EXISTS (SELECT 1 FROM bridge_command c WHERE c.request_id = r.id) "
                    + "AND NOT EXISTS (SELECT 1 FROM bridge_intake_error e WHERE e.request_id = r.id)", String.class, requests.toArray());
            if (empty.isEmpty()) {
                return 0;
            }
            String inEmpty = Ledger.marks(empty.size());
            Object[] ids = empty.toArray();
            jdbc.update("DELETE FROM bridge_webhook_delivery WHERE request_id IN (" + inEmpty + ")", ids);
            jdbc.update("DELETE FROM bridge_finished_request WHERE request_id IN (" + inEmpty + ")", ids);
            return jdbc.update("DELETE FROM bridge_request WHERE id IN (" + inEmpty + ")", ids);
        });
        return deleted == null ? 0 : deleted;
    }

    /**
     * Event ids the webhook receiver applied before the cutoff. Camel's repository stamps them with
     * a {@link Timestamp} of the JVM's clock, so the cutoff is one too.
     */
    private int deleteEventIds(Instant cutoff) {
        if (eventIdProcessors.isEmpty()) {
            return 0;
        }
        List<Object> args = new ArrayList<>(eventIdProcessors);
        args.add(Timestamp.from(cutoff));
        int deleted = 0;
        while (true) {
            List<Object[]> keys = jdbc.query("SELECT processorName, messageId FROM CAMEL_MESSAGEPROCESSED WHERE processorName IN ("
                            + Ledger.marks(eventIdProcessors.size()) + ") AND createdAt < ? FETCH FIRST " + chunk + " ROWS ONLY",
                    (rs, i) -> new Object[] {rs.getString(1), rs.getString(2)}, args.toArray());
            if (keys.isEmpty()) {
                return deleted;
            }
            deleted += deleteEach("DELETE FROM CAMEL_MESSAGEPROCESSED WHERE processorName = ? AND messageId = ?", keys);
        }
    }

    /** Deletes rows by key in one transaction; returns how many went. */
    private int deleteEach(String sql, List<Object[]> keys) {
        int[] counts = tx.execute(status -> jdbc.batchUpdate(sql, keys));
        // a driver may answer SUCCESS_NO_INFO (-2) for a statement of a batch: that row went
        return counts == null ? 0 : java.util.Arrays.stream(counts).map(c -> c == java.sql.Statement.SUCCESS_NO_INFO ? 1 : c).sum();
    }

}
