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

    /** A command's history, in order; each move's from-state is the state the one before moved to (none for the first). */
    public List<Transition> transitions(String commandId) {
        List<Transition> history = new ArrayList<>();
        jdbc.query("SELECT at, to_state, vendor_status, vendor_request_id, reason FROM bridge_transition "
                + "WHERE command_no = " + Ledger.COMMAND_NO + " ORDER BY id", rs -> {
                    CommandState from = history.isEmpty() ? null : history.get(history.size() - 1).to();
                    history.add(new Transition(instant(rs, 1), from, CommandState.of(rs.getString(2)), rs.getString(3),
                            rs.getString(4), rs.getString(5)));
                }, commandId);
        return history;
    }

    /** A device's pull-model commands that are ready for it (queued) or delivered and not yet acknowledged, oldest first. */
    public List<CommandRecord> inboxFor(String kind, String device) {
        return jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE kind = ? AND device = ? AND state IN (?, ?) "
                        + "ORDER BY created_at, seq, position", Ledger::mapCommand, kind, device,
                CommandState.QUEUED.label(), CommandState.INITIATED.label());
    }

    /**
     * One page of commands in the order they were written to the ledger ({@code list_no}: oldest
     * first, a batch in its order), or newest first, each with the vendor request ids of its calls.
     * The page is one query: a keyset cursor ({@code after}: the rows past that command's
     * {@code list_no}, looked up in the same statement) read along {@code list_no}'s index, one row
     * more than asked (to tell whether there are more), each row's vendor request ids gathered by
     * an index look-up in the same statement. The total is a second query, only when asked for.
     * Every column and operator comes from {@link CommandQuery}'s fixed lists and every value is a
     * bound parameter.
     *
     * @return empty when {@code query.after()} names no command
     */
    public java.util.Optional<Page<ListedCommand>> findCommands(CommandQuery query) {
        StringBuilder where = new StringBuilder();
        List<Object> args = new ArrayList<>();
        for (CommandQuery.Condition c : query.conditions()) {
            where.append(where.isEmpty() ? " WHERE " : " AND ").append(c.field().column()).append(' ').append(c.operator().sql());
            if (c.operator().list()) {
                where.append(" (").append(Ledger.marks(c.values().size())).append(')');
            } else {
                where.append(" ?");
            }
            for (Object v : c.values()) {
                args.add(v instanceof java.time.Instant t ? Ledger.ts(t) : v);
            }
        }
        if (query.excludeInternal()) {
            where.append(where.isEmpty() ? " WHERE " : " AND ").append("internal = FALSE");
        }
        Integer total = null;
        if (query.withTotal()) {
            total = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_command" + where, Integer.class, args.toArray());
        }
        StringBuilder pageWhere = new StringBuilder(where);
        List<Object> pageArgs = new ArrayList<>(args);
        if (query.after() != null) {
            pageWhere.append(pageWhere.isEmpty() ? " WHERE " : " AND ").append(query.descending() ? "list_no < " : "list_no > ")
                    .append("(SELECT anchor.list_no FROM bridge_command anchor WHERE anchor.id = ?)");
            pageArgs.add(query.after());
        }
        pageArgs.add(query.offset());
        pageArgs.add(query.limit() + 1);
        List<ListedCommand> items = new ArrayList<>(query.limit() + 1);
        jdbc.query("SELECT " + COMMAND_COLUMNS + ", (SELECT ARRAY_AGG(vc.vendor_request_id ORDER BY vc.id) FROM bridge_call vc "
                        + "WHERE vc.command_no = bridge_command.list_no AND vc.vendor_request_id IS NOT NULL) "
                        + "FROM bridge_command" + pageWhere + " ORDER BY list_no" + (query.descending() ? " DESC" : "")
                        + " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY",
                rs -> {
                    items.add(new ListedCommand(mapCommand(rs, 0), strings(rs.getArray(COMMAND_COLUMN_COUNT + 1))));
                }, pageArgs.toArray());
        if (items.isEmpty() && query.after() != null
                && jdbc.queryForList("SELECT 1 FROM bridge_command WHERE id = ?", Integer.class, query.after()).isEmpty()) {
            return java.util.Optional.empty();   // an unknown cursor, told apart from a page past the end
        }
        boolean more = items.size() > query.limit();
        if (more) {
            items.remove(items.size() - 1);
        }
        return java.util.Optional.of(new Page<>(total, items, more));
    }

    private static final int COMMAND_COLUMN_COUNT = COMMAND_COLUMNS.split(",").length;

    private static List<String> strings(java.sql.Array array) throws java.sql.SQLException {
        if (array == null) {
            return List.of();
        }
        try {
            Object[] values = (Object[]) array.getArray();
            List<String> out = new ArrayList<>(values.length);
            for (Object v : values) {
                out.add(String.valueOf(v));
            }
            return out;
        } finally {
            array.free();
        }
    }

    /** A command of a list page, with the vendor request ids of its calls (oldest first). */
    public record ListedCommand(CommandRecord command, List<String> vendorRequestIds) {
    }

    /** A page of a longer list: whether more follow, and the list's full size when it was counted (else null). */
    public record Page<T>(Integer total, List<T> items, boolean hasMore) {
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
