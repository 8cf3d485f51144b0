package org.devicebridge.ledger;

import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.devicebridge.ledger.Ledger.COMMAND_COLUMNS;
import static org.devicebridge.ledger.Ledger.FINISHED_RANK;
import static org.devicebridge.ledger.Ledger.ts;
import static org.devicebridge.ledger.Ledger.instant;

/**
 * The work queue and its leases: what is due, for whom, and who holds it. Work is picked from the
 * ledger by time ({@code next_attempt_at}), leased with a compare-and-set so several bridge
 * instances on one database never run the same step twice; an adapter's progress releases the lease
 * and says when the next step is due. Scheduled commands and the deadline watch's overdue commands
 * are picked here too. States are not changed here: that is {@link LedgerTransitions}' job.
 */
public class WorkQueue {

    /**
     * A lower bound on {@code next_attempt_at} in the claim: a final command's is NULL, and H2 sorts
     * NULLs first in an index; the bound starts the index range after them.
     */
    private static final String NEVER = "TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00Z'";

    private final Ledger ledger;
    private final JdbcTemplate jdbc;
    private final boolean postgres;
    private final String instanceId;

    public WorkQueue(Ledger ledger) {
        this.ledger = ledger;
        this.jdbc = ledger.jdbc();
        this.postgres = ledger.postgres();
        this.instanceId = ledger.instanceId();
    }

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
        Instant now = ledger.now();
        StringBuilder set = new StringBuilder("lease_owner = ?, lease_until = ?");
        List<Object> args = new ArrayList<>(List.of(instanceId, ts(now.plus(lease))));
        if (!sent.isEmpty()) {
            String row = postgres ? "c." : ""; // PostgreSQL: the row updated, not the picked one of the same names
            set.append(", updated_at = CASE WHEN ").append(row).append("phase IN (")
                    .append(Ledger.marks(sent.size()))
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
            pickArgs.add(limit);
            pick += (rank == 0 ? "" : " UNION ALL ") + "SELECT * FROM (SELECT id, queue_rank, next_attempt_at, seq FROM bridge_command" + dueIndex()
                    + " WHERE kind = ? AND queue_rank = "
                    + rank + " AND next_attempt_at > " + NEVER + " AND next_attempt_at <= ? AND finished_at IS NULL"
                    + " AND (lease_until IS NULL OR lease_until < ?) AND (deadline_at IS NULL OR deadline_at >= ?)" + batchRead
                    + " ORDER BY kind, queue_rank, next_attempt_at, seq FETCH FIRST ? ROWS ONLY" + (postgres ? " FOR UPDATE SKIP LOCKED" : "")
                    + ") rank" + rank;
        }
        // the limit is bound, not written into the text: the claim is then the same statement each time, which
        // H2 finds in its session's cache of parsed statements instead of parsing it again (a JFR run of the
        // throughput bench had 7.5 % of the bridge's samples in H2's parser, nearly all of them this claim)
        String due = "SELECT id FROM (" + pick + ") due ORDER BY queue_rank, next_attempt_at, seq FETCH FIRST ? ROWS ONLY";
        pickArgs.add(limit);
        List<CommandRecord> claimed;
        if (postgres) {
            args.addAll(pickArgs);
            claimed = jdbc.query("UPDATE bridge_command c SET " + set + " FROM (SELECT " + COMMAND_COLUMNS
                    + " FROM bridge_command WHERE id IN (" + due + ")) picked WHERE c.id = picked.id RETURNING " + prefixed("picked."),
                    Ledger::mapCommand, args.toArray());
        } else {
            // H2 is embedded in this one process: the claim is serialised here, and its UPDATE names the
            // rows (H2 runs an UPDATE over IN (subquery) far slower than over a list of keys)
            synchronized (ledger) { // one claim at a time per ledger, however many queues read it
                List<String> ids = jdbc.queryForList(due, String.class, pickArgs.toArray());
                if (ids.isEmpty()) {
                    return List.of();
                }
                // as many markers as the next power of two, the last id repeated: a few statements for H2's cache, not one per size
                int markers = Integer.highestOneBit(ids.size()) == ids.size() ? ids.size() : Integer.highestOneBit(ids.size()) << 1;
                args.addAll(ids);
                args.addAll(java.util.Collections.nCopies(markers - ids.size(), ids.get(ids.size() - 1)));
                args.add(ts(now));
                claimed = jdbc.query("SELECT " + COMMAND_COLUMNS + " FROM OLD TABLE (UPDATE bridge_command SET " + set + " WHERE id IN ("
                        + Ledger.marks(markers) + ") AND (lease_until IS NULL OR lease_until < ?))",
                        Ledger::mapCommand, args.toArray());
            }
        }
        return claimed.stream().sorted(java.util.Comparator.comparing(CommandRecord::nextAttemptAt).thenComparing(CommandRecord::seq))
                .toList();
    }

    /**
     * On H2, the hint that reads due steps along {@code bridge_command_due}. H2 plans from sampled
     * column statistics: once a batch of 100,000 commands with one due time has begun to finish, it
     * took {@code finished_at IS NULL} ({@code bridge_command_deadline}) as the cheaper way in and read
     * every open command for each claim (38 ms against 2 ms at 100,000 open, measured on a copy of
     * the bench's ledger). PostgreSQL plans this range well by itself and has no such hint.
     */
    private String dueIndex() {
        return postgres ? "" : " USE INDEX (bridge_command_due)";
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
        Instant now = ledger.now();
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

    /** Leases those of {@code ids} that are free, in two statements; returns them in the order given. */
    private List<CommandRecord> leaseAll(List<String> ids, Instant now, Duration lease) {
        if (ids.isEmpty()) {
            return List.of();
        }
        String marks = Ledger.marks(ids.size());
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

    /** Is any command of the kind due now (and not leased, nor past its deadline)? Rank by rank, in the index of due steps. */
    public boolean anyDue(String kind) {
        Instant now = ledger.now();
        for (int rank = 0; rank < FINISHED_RANK; rank++) {
            if (!jdbc.queryForList("SELECT id FROM bridge_command" + dueIndex() + " WHERE kind = ? AND queue_rank = " + rank + " AND next_attempt_at > "
                    + NEVER + " AND next_attempt_at <= ? AND finished_at IS NULL AND (lease_until IS NULL OR lease_until < ?) "
                    + "AND (deadline_at IS NULL OR deadline_at >= ?) ORDER BY kind, queue_rank, next_attempt_at FETCH FIRST 1 ROWS ONLY",
                    String.class, kind, ts(now), ts(now), ts(now)).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------- one action per device at a time

    /**
     * The newest command of the same kind and device taken in after {@code c} (a newer document for
     * the device), or empty: not counting invalid ones, the bridge's internal ones, ones still held
     * back by {@code not_before} ({@code Command Scheduled}) nor cancelled ones. One probe of the
     * index {@code bridge_command_device}, from the command's own age on.
     */
    public java.util.Optional<String> newerCommand(CommandRecord c) {
        List<Object> args = new ArrayList<>(List.of(c.kind(), c.device(), ts(c.createdAt()), c.id(), CommandState.SCHEDULED.label(),
                CommandState.CANCELLED.label()));
        args.addAll(intakeOrderArguments(c));
        return jdbc.queryForList("SELECT id FROM bridge_command WHERE kind = ? AND device = ? AND created_at >= ? AND id <> ? "
                        + "AND invalid = FALSE AND internal = FALSE AND state NOT IN (?, ?) AND " + takenIn("", '>')
                        + " ORDER BY created_at DESC, request_id DESC, seq DESC, position DESC FETCH FIRST 1 ROWS ONLY",
                String.class, args.toArray())
                .stream().findFirst();
    }

    /**
     * The commands taken in after ({@code '>'}) or before ({@code '<'}) a given one, in the one total
     * order of intake: intake time, then request id, then position in the request. The given
     * command's values are bound in the order of {@link #intakeOrderArguments}. A caller also bounds
     * {@code created_at} from that side, so that the clause reads one range of {@code bridge_command_device}.
     */
    private static String takenIn(String alias, char side) {
        String a = alias.isEmpty() ? "" : alias + ".";
        return "(" + a + "created_at " + side + " ? OR " + a + "request_id " + side + " ? OR (" + a + "request_id = ? AND ("
                + a + "seq " + side + " ? OR (" + a + "seq = ? AND " + a + "position " + side + " ?))))";
    }

    private static List<Object> intakeOrderArguments(CommandRecord c) {
        return List.of(ts(c.createdAt()), c.requestId(), c.requestId(), c.seq(), c.seq(), c.position());
    }

    /**
     * Takes the device of {@code c} for it: at most one command of a kind holds a device at a time
     * ({@code bridge_device_slot}). Taken when it is free (no row: a command's final move deletes its slot,
     * {@link LedgerTransitions}), held by {@code c} already, or held by a command that is final (a row an older
     * bridge left) or removed; one atomic write on PostgreSQL, whichever instance comes first.
     *
     * @return false when another command that is not final holds the device
     */
    public boolean takeDevice(CommandRecord c) {
        String held = "NOT EXISTS (SELECT 1 FROM bridge_command h WHERE h.id = bridge_device_slot.command_id AND h.finished_at IS NULL)";
        if (postgres) {
            return jdbc.update("INSERT INTO bridge_device_slot (kind, device, command_id) VALUES (?, ?, ?) ON CONFLICT (kind, device) "
                    + "DO UPDATE SET command_id = EXCLUDED.command_id WHERE bridge_device_slot.command_id = EXCLUDED.command_id OR "
                    + held, c.kind(), c.device(), c.id()) == 1;
        }
        synchronized (ledger) { // H2 is embedded in this one process
            try { // a device's first command: one statement
                jdbc.update("INSERT INTO bridge_device_slot (kind, device, command_id) VALUES (?, ?, ?)", c.kind(), c.device(), c.id());
                return true;
            } catch (org.springframework.dao.DuplicateKeyException e) {
                // the device has a slot: taken if free (H2 undoes the failed statement only, the claim goes on)
            }
            return jdbc.update("UPDATE bridge_device_slot SET command_id = ? WHERE kind = ? AND device = ? AND (command_id = ? OR "
                    + held + ")", c.id(), c.kind(), c.device(), c.id()) == 1;
        }
    }

    /**
     * Gives back a claimed command that may not make its step now (its device is busy, or it was
     * superseded): its phase as before the claim, no lease, next step due at {@code nextAttemptAt}.
     */
    public void unclaim(CommandRecord c, Instant nextAttemptAt) {
        jdbc.update("UPDATE bridge_command SET phase = ?, lease_owner = NULL, lease_until = NULL, next_attempt_at = ? "
                + "WHERE id = ? AND finished_at IS NULL", c.phase(), ts(nextAttemptAt), c.id());
    }

    /**
     * Makes the commands of a device waiting in {@code phase} for it (not leased, due later) due now:
     * called once the command holding the device is final. Served by {@code bridge_command_device}:
     * on H2 the waiting commands are looked up along it by name and then updated by key (an
     * {@code UPDATE} takes no index hint, and H2 had planned this one on {@code finished_at IS NULL},
     * reading every open command each time a command ended: a quarter of the workers' CPU in a
     * 10,000-action run).
     */
    public int wakeWaiting(String kind, String device, String phase) {
        Instant now = ledger.now();
        String waiting = "kind = ? AND device = ? AND created_at IS NOT NULL AND finished_at IS NULL AND phase = ? "
                + "AND lease_until IS NULL AND next_attempt_at > ?";
        if (postgres) {
            return jdbc.update("UPDATE bridge_command SET next_attempt_at = ? WHERE " + waiting, ts(now), kind, device, phase, ts(now));
        }
        List<String> ids = jdbc.queryForList("SELECT id FROM bridge_command USE INDEX (bridge_command_device) WHERE " + waiting,
                String.class, kind, device, phase, ts(now));
        if (ids.isEmpty()) {
            return 0;
        }
        List<Object> args = new ArrayList<>(List.of(ts(now)));
        args.addAll(ids);
        args.addAll(List.of(kind, device, phase, ts(now)));
        return jdbc.update("UPDATE bridge_command SET next_attempt_at = ? WHERE id IN ("
                + Ledger.marks(ids.size()) + ") AND " + waiting, args.toArray());
    }

    /** The commands of {@code c}'s kind and device taken in before it (intake time, then request id, then position). */
    private static final String OLDER_OPEN = "SELECT 1 FROM bridge_command o WHERE o.kind = ? AND o.device = ? AND o.created_at <= ? "
            + "AND o.id <> ? AND o.finished_at IS NULL AND o.invalid = FALSE AND o.internal = FALSE AND o.state <> ? AND " + takenIn("o", '<');

    /**
     * Whether a command of the same kind and device taken in before {@code c} is not final yet (not
     * counting invalid ones, the bridge's internal ones, nor ones held back by {@code not_before}):
     * in order, {@code c} waits for it. One probe of the index {@code bridge_command_device}.
     */
    public boolean olderCommandOpen(CommandRecord c) {
        return !jdbc.queryForList(OLDER_OPEN + " FETCH FIRST 1 ROWS ONLY", Integer.class, olderOpenArguments(c)).isEmpty();
    }

    private static Object[] olderOpenArguments(CommandRecord c) {
        List<Object> args = new ArrayList<>(List.of(c.kind(), c.device(), ts(c.createdAt()), c.id(), CommandState.SCHEDULED.label()));
        args.addAll(intakeOrderArguments(c));
        return args.toArray();
    }

    /**
     * Makes {@code c}, waiting for its device, due now if it is its turn: no other command that is
     * not final holds the device any more (and, {@code inOrder}, no older command of the device is
     * open). Called after the claim that made it wait has committed, so that a holder ending during
     * that claim (its {@link #wakeWaiting} came too early to see {@code c} waiting) does not leave
     * {@code c} waiting a whole lease.
     */
    public void wakeIfItsTurn(CommandRecord c, boolean inOrder) {
        Instant now = ledger.now();
        List<Object> args = new java.util.ArrayList<>(List.of(ts(now), c.id(), c.phase(), ts(now), c.kind(), c.device(), c.id()));
        String olderOpen = "";
        if (inOrder) {
            olderOpen = " AND NOT EXISTS (" + OLDER_OPEN + ")";
            args.addAll(List.of(olderOpenArguments(c)));
        }
        jdbc.update("UPDATE bridge_command SET next_attempt_at = ? WHERE id = ? AND finished_at IS NULL AND phase = ? "
                + "AND lease_until IS NULL AND next_attempt_at > ? AND NOT EXISTS (SELECT 1 FROM bridge_device_slot s "
                + "JOIN bridge_command h ON h.id = s.command_id WHERE s.kind = ? AND s.device = ? AND h.id <> ? "
                + "AND h.finished_at IS NULL)" + olderOpen, args.toArray());
    }

    /** Ends a lease early, so the next step (if due now) is taken on the next tick. */
    public void release(String commandId) {
        jdbc.update("UPDATE bridge_command SET lease_owner = NULL, lease_until = NULL WHERE id = ?", commandId);
    }

    /** Saves an adapter's progress on a command (no state change: that is {@link LedgerTransitions}' job). */
    public void saveProgress(String commandId, Progress p) {
        saveProgress(ledger, commandId, p);
    }

    /**
     * The columns of a step's progress that a move carrying it ({@link LedgerTransitions#move(String, StateChange, Progress)})
     * sets as this does: the next phase, the cloud's reference, the attempts and polls, and the lease (released, or
     * kept for the next step taken at once, {@link Progress#taken}). The arguments are {@link #progressArguments}.
     * Status, scratch data and due time are set by each of the two, a final move clearing them.
     */
    static final String PROGRESS_SET = "phase = COALESCE(?, phase), vendor_ref = COALESCE(?, vendor_ref), attempts = ?, "
            + "polls = polls + ?, lease_owner = ?, lease_until = ?";

    static List<Object> progressArguments(Ledger ledger, Progress p) {
        return Arrays.asList(p.phase(), p.vendorRef(), p.attempts(), p.polled() ? 1 : 0,
                p.leaseUntil() == null ? null : ledger.instanceId(), ts(p.leaseUntil()));
    }

    /** @return whether the progress was saved (not: the command is final, or unknown) */
    static boolean saveProgress(Ledger ledger, String commandId, Progress p) {
        List<Object> args = new ArrayList<>(progressArguments(ledger, p));
        args.addAll(Arrays.asList(p.vendorStatus(), p.vendorData(), ts(p.nextAttemptAt()), ts(ledger.now()), commandId));
        return ledger.jdbc().update("UPDATE bridge_command SET " + PROGRESS_SET + ", vendor_status = COALESCE(?, vendor_status), "
                        + "vendor_data = COALESCE(?, vendor_data), next_attempt_at = ?, queue_rank = 0, updated_at = ? "
                        + "WHERE id = ? AND finished_at IS NULL", // a late answer never rewrites a final command
                args.toArray()) == 1;
    }

    /**
     * For a change from outside the command's steps (a webhook), in the caller's transaction: holds the
     * command's row (locked until that transaction ends, so no claim takes it meanwhile) unless a step
     * holds its lease, or it is final. A step in flight records its own answer and moves the command on
     * itself; a change made under it would record states out of their order (a webhook's In Progress
     * before the upload's Acknowledged) or free its lease while the call is still out.
     *
     * @return false when a step holds the command (or it is final): change nothing
     */
    public boolean holdUnlessLeased(String commandId) {
        Instant now = ledger.now();
        return jdbc.update("UPDATE bridge_command SET updated_at = updated_at WHERE id = ? AND finished_at IS NULL "
                + "AND (lease_until IS NULL OR lease_until < ?)", commandId, ts(now)) == 1;
    }

    /**
     * Commands past their deadline that are not final yet and have no call in flight: a leased
     * command (a step being made for it) is left to its answer; the deadline applies once the
     * lease ends, if the command is still not final then.
     */
    public List<String> overdue(int limit) {
        Instant now = ledger.now();
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
        Instant now = ledger.now();
        return jdbc.update("UPDATE bridge_command SET lease_owner = ?, lease_until = ? WHERE id = ? AND finished_at IS NULL "
                + "AND deadline_at < ? AND (lease_until IS NULL OR lease_until < ?)", instanceId, ts(now.plus(hold)), commandId,
                ts(now), ts(now)) == 1;
    }

    /** Scheduled commands whose time has come. */
    public List<String> dueScheduled(int limit) {
        return jdbc.queryForList("SELECT id FROM bridge_command WHERE state = ? AND next_attempt_at <= ? ORDER BY next_attempt_at "
                + "FETCH FIRST " + limit + " ROWS ONLY", String.class, CommandState.SCHEDULED.label(), ts(ledger.now()));
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
                + "AND next_attempt_at <= ?", Integer.class, kind, ts(ledger.now()));
        return n == null ? 0 : n;
    }
}
