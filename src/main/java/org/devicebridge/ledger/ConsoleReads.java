package org.devicebridge.ledger;

import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.devicebridge.ledger.Ledger.COMMAND_COLUMNS;
import static org.devicebridge.ledger.Ledger.instant;
import static org.devicebridge.ledger.Ledger.ts;

/**
 * What the operator console reads (docs/console.md), each poll in a few index-served queries: pages
 * of requests newest first with their counts per state, pages of one request's commands, each
 * cloud's queued work and its recent calls. A request's counts are read again only when a command
 * moved somewhere in the ledger since they were read (one look at the newest transition), and
 * never again once the request is finished, so an idle console over a big backlog reads almost
 * nothing. Nothing here writes.
 */
public class ConsoleReads {

    /** A request's counts are read again at least this often while it runs, whatever the newest transition says. */
    private static final Duration COUNTS_MAX_AGE = Duration.ofSeconds(10);
    /** ... and at most this often when it is big ({@link #BIG_REQUEST} commands or more), however much moves. */
    private static final Duration BIG_COUNTS_MIN_AGE = Duration.ofSeconds(5);
    private static final int BIG_REQUEST = 10_000;
    /** A kind's backlog is counted at most this often (one range of the claim index, as long as the backlog). */
    private static final Duration BACKLOG_MIN_AGE = Duration.ofSeconds(5);
    private static final int COUNTS_KEPT = 2_000;

    private final Ledger ledger;
    private final JdbcTemplate jdbc;
    private final Map<String, CachedCounts> counts = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CachedCounts> eldest) {
            return size() > COUNTS_KEPT;
        }
    });

    public ConsoleReads(Ledger ledger) {
        this.ledger = ledger;
        this.jdbc = ledger.jdbc();
    }

    /** A request as the console lists it: the row, how far its intake got, and its counts per state. */
    public record RequestSummary(RequestRecord request, int recordsRead, String refusedReason, RequestCounts counts) {
    }

    /** @param finished read once the request was finished: they never change again */
    private record CachedCounts(long newestTransition, int recordsRead, Instant readAt, boolean finished, RequestCounts counts) {
    }

    /**
     * One page of requests, newest first: those created before {@code before} (null: from the newest),
     * of {@code source} (null: any), in {@code state} (null: any; {@code reading}, {@code running},
     * {@code finished}, {@code refused}).
     */
    public List<RequestSummary> requests(String source, String state, Instant before, int limit) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (source != null) {
            where.append(" AND source = ?");
            args.add(source);
        }
        if (before != null) {
            where.append(" AND created_at < ?");
            args.add(ts(before));
        }
        if (state != null) {
            where.append(switch (state) {
                case "refused" -> " AND refused_reason IS NOT NULL";
                case "reading" -> " AND refused_reason IS NULL AND intake_complete = FALSE";
                case "running" -> " AND refused_reason IS NULL AND intake_complete = TRUE AND finished_at IS NULL";
                case "finished" -> " AND refused_reason IS NULL AND finished_at IS NOT NULL";
                default -> throw new IllegalArgumentException("unknown request state " + state);
            });
        }
        args.add(limit);
        List<Object[]> rows = jdbc.query("SELECT * FROM bridge_request" + where
                        + " ORDER BY created_at DESC, id DESC FETCH FIRST ? ROWS ONLY",
                (rs, i) -> new Object[] {Ledger.mapRequest(rs, i), rs.getInt("records_read"), rs.getString("refused_reason")},
                args.toArray());
        long newest = newestTransitionId();
        List<RequestSummary> page = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            RequestRecord r = (RequestRecord) row[0];
            page.add(new RequestSummary(r, (Integer) row[1], (String) row[2], counts(r, (Integer) row[1], newest)));
        }
        return page;
    }

    /** One request as the console shows it, or null when there is none. */
    public RequestSummary request(String requestId) {
        List<RequestSummary> found = jdbc.query("SELECT * FROM bridge_request WHERE id = ?",
                (rs, i) -> new RequestSummary(Ledger.mapRequest(rs, i), rs.getInt("records_read"), rs.getString("refused_reason"), null),
                requestId);
        if (found.isEmpty()) {
            return null;
        }
        RequestSummary r = found.get(0);
        return new RequestSummary(r.request(), r.recordsRead(), r.refusedReason(), counts(r.request(), r.recordsRead(), newestTransitionId()));
    }

    /**
     * The counts of a request per state, as last read when nothing can have changed since: it is
     * finished, or no command moved anywhere and no record was read since they were read (and they
     * are younger than {@link #COUNTS_MAX_AGE}).
     */
    private RequestCounts counts(RequestRecord r, int recordsRead, long newestTransition) {
        CachedCounts cached = counts.get(r.id());
        Instant now = ledger.now();
        if (cached != null && (cached.finished()
                || (r.finishedAt() == null && cached.counts().total() >= BIG_REQUEST && cached.readAt().plus(BIG_COUNTS_MIN_AGE).isAfter(now))
                || (cached.recordsRead() == recordsRead && cached.newestTransition() == newestTransition
                        && cached.readAt().plus(COUNTS_MAX_AGE).isAfter(now)))) {
            return cached.counts();
        }
        Map<String, Integer> byState = new TreeMap<>();
        jdbc.query("SELECT state, invalid, COUNT(*) FROM bridge_command WHERE request_id = ? AND internal = FALSE GROUP BY state, invalid",
                rs -> {
                    byState.merge(rs.getBoolean(2) ? "invalid" : rs.getString(1), rs.getInt(3), Integer::sum);
                }, r.id());
        Integer intakeErrors = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_intake_error WHERE request_id = ?", Integer.class, r.id());
        byState.merge("invalid", intakeErrors == null ? 0 : intakeErrors, Integer::sum);
        RequestCounts read = new RequestCounts(byState);
        counts.put(r.id(), new CachedCounts(newestTransition, recordsRead, now, r.finishedAt() != null, read));
        return read;
    }

    /** Which of a request's commands a page shows; each field optional. */
    public record CommandFilter(List<CommandState> states, String device, String kind, String vendorStatus, String reason) {
    }

    /** Where a page of a request's commands starts: a record's place in the batch and the device's within it. */
    public record Place(int seq, int position) {
        public static final Place FIRST = new Place(0, 0);
    }

    /** A page of commands, and where the next page starts (null: this is the last). */
    public record CommandPage(List<CommandRecord> items, Place next) {
    }

    /**
     * One page of a request's commands in batch order from {@code from}, filtered. Read along the
     * request's index from that place (never an offset: page 2,000 costs what page 1 does), and
     * not counted: the request's counts per state are its progress.
     */
    public CommandPage commands(String requestId, CommandFilter filter, Place from, int limit) {
        StringBuilder where = new StringBuilder(" WHERE request_id = ? AND seq >= ? AND NOT (seq = ? AND position < ?) AND internal = FALSE");
        List<Object> args = new ArrayList<>(List.of(requestId, from.seq(), from.seq(), from.position()));
        if (!filter.states().isEmpty()) {
            where.append(" AND state IN (").append(Ledger.marks(filter.states().size())).append(')');
            filter.states().forEach(s -> args.add(s.label()));
        }
        if (filter.device() != null) {
            where.append(" AND device = ?");
            args.add(filter.device());
        }
        if (filter.kind() != null) {
            where.append(" AND kind = ?");
            args.add(filter.kind());
        }
        if (filter.vendorStatus() != null) {
            where.append(" AND vendor_status = ?");
            args.add(filter.vendorStatus());
        }
        if (filter.reason() != null) {
            where.append(" AND LOWER(reason) LIKE ? ESCAPE '\\'");
            args.add("%" + filter.reason().toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        args.add(limit + 1);
        List<CommandRecord> rows = jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command" + where
                // the request's index in its own order (read, not sorted); one device's few commands by the device index, then sorted
                + (filter.device() == null ? " ORDER BY request_id, seq, position" : " ORDER BY seq, position")
                + " FETCH FIRST ? ROWS ONLY", Ledger::mapCommand, args.toArray());
        if (rows.size() <= limit) {
            return new CommandPage(rows, null);
        }
        CommandRecord after = rows.get(limit);
        return new CommandPage(rows.subList(0, limit), new Place(after.seq(), after.position()));
    }

    /** A request's commands not final yet (not the bridge's internal ones), in batch order. */
    public List<CommandRecord> unfinished(String requestId) {
        return jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM bridge_command WHERE request_id = ? AND finished_at IS NULL "
                + "AND internal = FALSE ORDER BY seq, position", Ledger::mapCommand, requestId);
    }

    /** Commands of a kind not final yet: {@code waiting} nothing sent yet, {@code started} some step already made. */
    public record KindBacklog(String kind, int waiting, int started) {
    }

    private record CachedBacklog(Instant readAt, KindBacklog backlog) {
    }

    private final Map<String, CachedBacklog> backlogs = new java.util.concurrent.ConcurrentHashMap<>();

    /** A kind's commands not final yet, counted again only once the last count is {@link #BACKLOG_MIN_AGE} old. */
    public KindBacklog backlog(String kind) {
        Instant now = ledger.now();
        CachedBacklog cached = backlogs.get(kind);
        if (cached != null && cached.readAt().plus(BACKLOG_MIN_AGE).isAfter(now)) {
            return cached.backlog();
        }
        KindBacklog read = countBacklog(kind);
        backlogs.put(kind, new CachedBacklog(now, read));
        return read;
    }

    private KindBacklog countBacklog(String kind) {
        int[] n = new int[2];
        jdbc.query("SELECT queue_rank, COUNT(*) FROM bridge_command WHERE kind = ? AND queue_rank < ? GROUP BY queue_rank", rs -> {
            n[rs.getInt(1) == 0 ? 1 : 0] += rs.getInt(2);
        }, kind, Ledger.FINISHED_RANK);
        return new KindBacklog(kind, n[0], n[1]);
    }

    /** The last {@code count} calls made to any cloud (one range of the call log's key), oldest first. */
    public List<CallRecord> recentCalls(int count) {
        Long newest = jdbc.queryForObject("SELECT MAX(id) FROM bridge_call", Long.class);
        if (newest == null) {
            return List.of();
        }
        return jdbc.query("SELECT at, operation, http_status, vendor_request_id, duration_ms, error FROM bridge_call WHERE id > ? ORDER BY id",
                (rs, i) -> new CallRecord(instant(rs, 1), rs.getString(2), (Integer) rs.getObject(3), rs.getString(4), rs.getLong(5),
                        rs.getString(6)), newest - count);
    }

    /** The id of the newest state change (0: none yet); one index look-up. */
    public long newestTransitionId() {
        Long id = jdbc.queryForObject("SELECT MAX(id) FROM bridge_transition", Long.class);
        return id == null ? 0 : id;
    }
}
