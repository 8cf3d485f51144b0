package org.devicebridge.ledger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.devicebridge.ledger.CommandState.ACKNOWLEDGED;
import static org.devicebridge.ledger.CommandState.CANCELLED;
import static org.devicebridge.ledger.CommandState.FAILURE;
import static org.devicebridge.ledger.CommandState.INITIATED;
import static org.devicebridge.ledger.CommandState.IN_PROGRESS;
import static org.devicebridge.ledger.CommandState.SUCCESS;
import static org.devicebridge.ledger.CommandState.TIMEOUT;

/**
 * The command state machine, and the only writer of command states.
 * <p>
 * Rules for every move: a final state is never left; otherwise a command only moves forward (to a
 * state of a higher {@link CommandState#rank()}), except {@code Scheduled -> Queued}. A transition
 * that breaks the rules is refused, not applied: a late webhook that says PENDING after RESOLVED
 * changes nothing. Each accepted transition updates the command with a compare-and-set on its
 * current state and appends a row to {@code bridge_transition}, in one transaction.
 * <p>
 * Moves asked for through the status API ({@link #moveAsAsked}) follow the table of who may move
 * what from where ({@link #refusal}; docs/cloud-contracts.md, "Who may move what, from where"),
 * checked against the state the command is in at the moment of the move.
 */
public class LedgerTransitions {

    /** Who asks for a move through the status API. The bridge's own moves go through {@link #move}. */
    public enum Requester {
        /** A device, with a device token, reporting on a command it pulled from its inbox. */
        DEVICE,
        /** The operator, with the API token. */
        OPERATOR
    }

    /** The states a device reports on a command it pulled: its progress. */
    public static final Set<CommandState> PROGRESS = EnumSet.of(ACKNOWLEDGED, IN_PROGRESS, SUCCESS, FAILURE);
    /** A pulled command delivered to its device and not final: the states progress may be reported from. */
    public static final Set<CommandState> DELIVERED = EnumSet.of(INITIATED, ACKNOWLEDGED, IN_PROGRESS);
    /** What the operator may end any pulled command with, from any state that is not final. */
    public static final Set<CommandState> OPERATOR_ENDS = EnumSet.of(CANCELLED, TIMEOUT);

    /**
     * The kind of a command pulled by its device from the command inbox. Its payload (the command,
     * its params and not_before) is shown by the status API for as long as the command is kept, so
     * it stays when the command is final; every other valid command's payload goes then (see
     * {@link #move}).
     */
    public static final String PULLED_KIND = "command";

    private static final Logger LOG = LoggerFactory.getLogger(LedgerTransitions.class);

    private final Ledger ledger;
    private final List<Consumer<StateChanged>> listeners = new CopyOnWriteArrayList<>();

    public LedgerTransitions(Ledger ledger) {
        this.ledger = ledger;
    }

    /** Is {@code from -> to} a legal move? */
    public static boolean isLegal(CommandState from, CommandState to) {
        if (from.isFinal() || from == to) {
            return false;
        }
        return to.rank() > from.rank() || (from == CommandState.SCHEDULED && to == CommandState.QUEUED);
    }

    /**
     * Who may move what from where through the status API:
     * <ul>
     * <li>a pulled command ({@code pulled}: kind {@code command}): its progress
     * ({@link #PROGRESS}) only once it was delivered ({@link #DELIVERED}), forward, by its device or
     * the operator; {@code Command Cancelled} and {@code Command TimeOut} by the operator only, from
     * any state that is not final;</li>
     * <li>a cloud command: its state comes from its cloud; the operator may only cancel it, once
     * sent to its cloud (which cannot cancel it) only with {@code force};</li>
     * <li>{@code Command Scheduled} (and Queued, Initiated) only by the bridge itself; a final state
     * never left; nothing backwards.</li>
     * </ul>
     *
     * @return why the move may not be made, or empty when it may
     */
    public static Optional<String> refusal(Requester who, boolean pulled, CommandState from, CommandState to, boolean force) {
        if (!pulled && to != CANCELLED) {
            return Optional.of("the state of a cloud command comes from its cloud; only 'Command Cancelled' may be set");
        }
        if (from.isFinal()) {
            return Optional.of("it is final");
        }
        if (from == to) {
            return Optional.of("it is in that state already");
        }
        if (!pulled) {
            if (who != Requester.OPERATOR) {
                return Optional.of("only the operator may cancel a cloud command");
            }
            if (from.rank() >= INITIATED.rank() && !force) {
                return Optional.of("it was already sent to its cloud, which cannot cancel it; "
                        + "send \"force\": true to stop tracking it (the device may still apply it)");
            }
            return Optional.empty();
        }
        if (PROGRESS.contains(to)) {
            if (!DELIVERED.contains(from)) {
                return Optional.of("it was not delivered to its device yet; progress is reported only on a delivered command "
                        + "(" + labels(DELIVERED) + ")");
            }
            return isLegal(from, to) ? Optional.empty() : Optional.of("commands only move forward");
        }
        if (OPERATOR_ENDS.contains(to)) {
            return who == Requester.OPERATOR ? Optional.empty()
                    : Optional.of("a device reports only " + labels(PROGRESS) + "; '" + to + "' is the operator's to set");
        }
        return Optional.of("'" + to + "' is set by the bridge only (Command Scheduled from the command's not_before)");
    }

    private static String labels(Set<CommandState> states) {
        return String.join(", ", states.stream().map(CommandState::label).toList());
    }

    /** A move asked for through the status API that {@link #refusal} does not allow, naming the state the command is in. */
    public static class RefusedMove extends RuntimeException {
        RefusedMove(String message) {
            super(message);
        }

        static RefusedMove of(String commandId, CommandState from, CommandState to, String why) {
            return new RefusedMove("cannot move command " + commandId + " from '" + from + "' to '" + to + "': " + why);
        }
    }

    /**
     * Moves a command as asked through the status API, if {@link #refusal} allows it from the state
     * the command is in at that moment.
     *
     * @param pulled the command is pulled by its device (kind {@code command}), not driven by a cloud
     * @return the transition made
     * @throws RefusedMove when the move may not be made (or the command is unknown)
     */
    public StateChanged moveAsAsked(String commandId, Requester who, boolean pulled, boolean force, StateChange change) {
        return move(commandId, change, null, from -> {
            refusal(who, pulled, from, change.to(), force).ifPresent(why -> {
                throw RefusedMove.of(commandId, from, change.to(), why);
            });
            return true;
        }).orElseThrow(() -> new RefusedMove("command " + commandId + " changed meanwhile; read it again"));
    }

    /** Registers a listener told after each committed transition (fan-out, metrics, logs), never of one rolled back. */
    public void onStateChanged(Consumer<StateChanged> listener) {
        listeners.add(listener);
    }

    /**
     * Moves a command to {@code change.to()} if that is legal from the state it is in now.
     *
     * @return the transition made, or empty when the move was not legal (or the command is unknown)
     */
    public Optional<StateChanged> move(String commandId, StateChange change) {
        return move(commandId, change, null, ifLegal(commandId, change));
    }

    /**
     * A step's outcome: saves its {@code progress} ({@link WorkQueue#saveProgress}: the next phase and when it is due, the
     * lease released, or kept for a next step taken at once, {@link Progress#taken}) and moves the command to {@code change.to()} if that is legal, in one write of the command's row.
     * One statement instead of two is what makes this worth having: H2 rewrites every index of a row an {@code UPDATE}
     * touches, whichever columns changed (docs/engine.md). When the move is not legal (the command is in that state
     * already, or past it), the progress is saved alone; a final command keeps what it has.
     *
     * @param progress null: none, the move alone ({@link #move(String, StateChange)})
     * @return whether the command's row was written: moved, or its progress saved alone (not: the command is final, or
     *         unknown, or the move not legal and no progress given)
     */
    public boolean move(String commandId, StateChange change, Progress progress) {
        Optional<StateChanged> moved = move(commandId, change, progress, ifLegal(commandId, change));
        return moved.isPresent() || progress != null && WorkQueue.saveProgress(ledger, commandId, progress);
    }

    private static Predicate<CommandState> ifLegal(String commandId, StateChange change) {
        return from -> {
            if (isLegal(from, change.to())) {
                return true;
            }
            LOG.debug("command {}: ignored {} -> {} (not a legal move)", commandId, from, change.to());
            return false;
        };
    }

    /**
     * The move, made when {@code allowed} accepts the state the command is in (read again after a concurrent update),
     * with the step's {@code progress} (null: none) in the same statement.
     */
    private Optional<StateChanged> move(String commandId, StateChange change, Progress progress, Predicate<CommandState> allowed) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<CommandRecord> current = ledger.command(commandId);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            CommandState from = current.get().state();
            if (!allowed.test(from) || !isLegal(from, change.to())) {
                return Optional.empty();
            }
            Instant now = ledger.now();
            boolean last = change.to().isFinal();
            Boolean done = ledger.tx().execute(status -> {
                if (ledger.jdbc().update(moveStatement(progress != null), moveArguments(change, progress, now, last, commandId,
                        from).toArray()) == 0) {
                    return false; // someone else moved it meanwhile: read again and re-decide
                }
                if (last) {
                    freeDevice(current.get());
                }
                // from is the transition before's to_state (V10_3): the update above just checked it
                ledger.jdbc().update("INSERT INTO bridge_transition (command_no, at, to_state, vendor_status, vendor_request_id, "
                                + "reason) VALUES (" + Ledger.COMMAND_NO + ", ?, ?, ?, ?, ?)",
                        commandId, Ledger.ts(now), change.to().label(), change.vendorStatus(), change.vendorRequestId(), change.reason());
                return true;
            });
            if (Boolean.TRUE.equals(done)) {
                CommandRecord before = progress == null ? current.get() : current.get().advancedBy(progress);
                StateChanged event = new StateChanged(before, from, change, now);
                // inside a step's transaction: told once it commits; a rollback undoes the move and tells nobody
                ledger.afterCommit(() -> listeners.forEach(l -> notify(l, event)));
                return Optional.of(event);
            }
        }
        LOG.warn("command {}: gave up moving to {} after repeated concurrent updates", commandId, change.to());
        return Optional.empty();
    }

    /**
     * The move's {@code UPDATE}, a compare-and-set on the state it moves from. A final command keeps what the status API,
     * the result files and the events show: the payload sent to its cloud and the adapter's scratch (an upload URL, its
     * signature) are needed no more and go; a pulled command's payload (shown) and a rejected record's (it is the record,
     * shown in its errors) stay. With the step's progress ({@link WorkQueue#PROGRESS_SET}) the row is written once.
     */
    private static String moveStatement(boolean withProgress) {
        return "UPDATE bridge_command SET state = ?, reason = COALESCE(?, reason), vendor_status = COALESCE(?, ?, vendor_status), "
                + "updated_at = ?, finished_at = ?, "
                + "next_attempt_at = CASE WHEN ? THEN NULL ELSE " + (withProgress ? "?" : "next_attempt_at") + " END, "
                + "queue_rank = CASE WHEN ? THEN " + Ledger.FINISHED_RANK + " ELSE " + (withProgress ? "0" : "queue_rank") + " END, "
                + "payload = CASE WHEN ? AND invalid = FALSE AND kind <> ? THEN NULL ELSE payload END, "
                + "vendor_data = CASE WHEN ? THEN NULL ELSE " + (withProgress ? "COALESCE(?, vendor_data)" : "vendor_data") + " END"
                + (withProgress ? ", " + WorkQueue.PROGRESS_SET : "") + " WHERE id = ? AND state = ?";
    }

    private List<Object> moveArguments(StateChange change, Progress progress, Instant now, boolean last, String commandId,
                                       CommandState from) {
        List<Object> args = new ArrayList<>(Arrays.asList(change.to().label(), change.reason(),
                change.vendorStatus(), progress == null ? null : progress.vendorStatus(), Ledger.ts(now), last ? Ledger.ts(now) : null,
                last));
        if (progress != null) {
            args.add(Ledger.ts(progress.nextAttemptAt()));
        }
        args.addAll(Arrays.asList(last, last, PULLED_KIND, last));
        if (progress != null) {
            args.add(progress.vendorData());
            args.addAll(WorkQueue.progressArguments(ledger, progress));
        }
        args.addAll(Arrays.asList(commandId, from.label()));
        return args;
    }

    /**
     * A final command gives its device's slot back ({@link WorkQueue#takeDevice}): the row goes, and the next
     * command of the device takes a new one. On PostgreSQL a row locked by a claim taking the device at this
     * moment is left as it is (a final holder's row counts as free), so that this move never waits for that claim.
     */
    private void freeDevice(CommandRecord c) {
        String slot = "kind = ? AND device = ? AND command_id = ?";
        if (ledger.postgres()) {
            ledger.jdbc().update("DELETE FROM bridge_device_slot WHERE (kind, device) IN (SELECT kind, device FROM bridge_device_slot "
                    + "WHERE " + slot + " FOR UPDATE SKIP LOCKED)", c.kind(), c.device(), c.id());
        } else {
            ledger.jdbc().update("DELETE FROM bridge_device_slot WHERE " + slot, c.kind(), c.device(), c.id());
        }
    }

    private static void notify(Consumer<StateChanged> listener, StateChanged event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            LOG.warn("state-change listener failed for command {}: {}", event.command().id(), e.toString());
        }
    }

    /** A committed transition, as told to listeners. {@code command} is the row as it was before. */
    public record StateChanged(CommandRecord command, CommandState from, StateChange change, Instant at) {
    }
}
