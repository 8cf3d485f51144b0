package org.devicebridge.ledger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The command state machine, and the only writer of command states.
 * <p>
 * Rules: a final state is never left; otherwise a command only moves forward (to a state of a
 * higher {@link CommandState#rank()}), except {@code Scheduled -> Queued}. A transition that breaks
 * the rules is refused, not applied: a late webhook that says PENDING after RESOLVED changes
 * nothing. Each accepted transition updates the command with a compare-and-set on its current
 * state and appends a row to {@code bridge_transition}, in one transaction.
 */
public class LedgerTransitions {

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

    /** Registers a listener told after each committed transition (fan-out, metrics, logs). */
    public void onStateChanged(Consumer<StateChanged> listener) {
        listeners.add(listener);
    }

    /**
     * Moves a command to {@code change.to()} if that is legal from the state it is in now.
     *
     * @return the transition made, or empty when the move was not legal (or the command is unknown)
     */
    public Optional<StateChanged> move(String commandId, StateChange change) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<CommandRecord> current = ledger.command(commandId);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            CommandState from = current.get().state();
            if (!isLegal(from, change.to())) {
                LOG.debug("command {}: ignored {} -> {} (not a legal move)", commandId, from, change.to());
                return Optional.empty();
            }
            Instant now = ledger.now();
            Boolean done = ledger.tx().execute(status -> {
                int updated = ledger.jdbc().update("UPDATE bridge_command SET state = ?, reason = COALESCE(?, reason), "
                                + "vendor_status = COALESCE(?, vendor_status), updated_at = ?, finished_at = ?, "
                                + "next_attempt_at = CASE WHEN ? THEN NULL ELSE next_attempt_at END WHERE id = ? AND state = ?",
                        change.to().label(), change.reason(), change.vendorStatus(), Ledger.ts(now),
                        change.to().isFinal() ? Ledger.ts(now) : null, change.to().isFinal(), commandId, from.label());
                if (updated == 0) {
                    return false; // someone else moved it meanwhile: read again and re-decide
                }
                ledger.jdbc().update("INSERT INTO bridge_transition (command_id, at, from_state, to_state, vendor_status, "
                                + "vendor_request_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?)", commandId, Ledger.ts(now), from.label(),
                        change.to().label(), change.vendorStatus(), change.vendorRequestId(), change.reason());
                return true;
            });
            if (Boolean.TRUE.equals(done)) {
                StateChanged event = new StateChanged(current.get(), from, change, now);
                listeners.forEach(l -> notify(l, event));
                return Optional.of(event);
            }
        }
        LOG.warn("command {}: gave up moving to {} after repeated concurrent updates", commandId, change.to());
        return Optional.empty();
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
