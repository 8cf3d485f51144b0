package org.devicebridge.ledger;

import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.devicebridge.ledger.Ledger.COMMAND_COLUMNS;
import static org.devicebridge.ledger.Ledger.instant;
import static org.devicebridge.ledger.Ledger.mapCommand;

/**
 * The ledger's read model, as the status API, the result files, the inbox, the metrics and the
 * health check read it: counts per state, a request's commands and rejected records in batch order,
 * a command's transitions, a device's inbox, pages of commands. Nothing here writes.
 */
public class LedgerReads {

    private final JdbcTemplate jdbc;

    public LedgerReads(Ledger ledger) {
        this.jdbc = ledger.jdbc();
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

    /**
     * Per kind, the request's commands (not invalid, not internal) and how many of them were
     * confirmed on the device ({@code phase} {@value #CONFIRMED}).
     */
    public List<KindCount> kindCounts(String requestId) {
        return jdbc.query("SELECT kind, COUNT(*), SUM(CASE WHEN phase = ? THEN 1 ELSE 0 END) FROM bridge_command "
                        + "WHERE request_id = ? AND internal = FALSE AND invalid = FALSE GROUP BY kind",
                (rs, i) -> new KindCount(rs.getString(1), rs.getInt(2), rs.getInt(3)), CONFIRMED, requestId);
    }

    /** The phase a command ends in when its outcome was confirmed on the device (read back and compared). */
    public static final String CONFIRMED = "CONFIRMED";

    /** A request's commands of one kind, and how many of them were confirmed on the device. */
    public record KindCount(String kind, int commands, int confirmed) {
    }

    /** Streams the request's commands (not the bridge's internal ones) in batch order (the result file of a huge batch never sits in memory). */
    public void forEachCommand(String requestId, Consumer<CommandRecord> consumer) {
        jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE request_id = ? AND internal = FALSE "
                        + "ORDER BY seq, position",
                rs -> {
                    consumer.accept(mapCommand(rs, 0));
                }, requestId);
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

    public List<Transition> transitions(String commandId) {
        return jdbc.query("SELECT at, from_state, to_state, vendor_status, vendor_request_id, reason FROM bridge_transition "
                + "WHERE command_id = ? ORDER BY id", (rs, i) -> new Transition(instant(rs, 1),
                rs.getString(2) == null ? null : CommandState.of(rs.getString(2)), CommandState.of(rs.getString(3)),
                rs.getString(4), rs.getString(5), rs.getString(6)), commandId);
    }

    /** A device's pull-model commands that are ready for it (queued) or delivered and not yet acknowledged, oldest first. */
    public List<CommandRecord> inboxFor(String kind, String device) {
        return jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE kind = ? AND device = ? AND state IN (?, ?) "
                        + "ORDER BY created_at, seq, position", Ledger::mapCommand, kind, device,
                CommandState.QUEUED.label(), CommandState.INITIATED.label());
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

    /** How many commands there are per kind and state: {@code [kind, state label, count]} rows. */
    public List<Object[]> countsByKindAndState() {
        return jdbc.query("SELECT kind, state, COUNT(*) FROM bridge_command WHERE internal = FALSE GROUP BY kind, state",
                (rs, i) -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)});
    }

    /** Count of commands not final yet (all kinds). */
    public int unfinishedCommands() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_command WHERE finished_at IS NULL", Integer.class);
        return n == null ? 0 : n;
    }

    /** The id of the newest state change (0: none yet); one index look-up. */
    public long newestTransitionId() {
        Long id = jdbc.queryForObject("SELECT MAX(id) FROM bridge_transition", Long.class);
        return id == null ? 0 : id;
    }

    /** Is the database answering? */
    public boolean ping() {
        Integer one = jdbc.queryForObject("SELECT 1", Integer.class);
        return one != null && one == 1;
    }
}
