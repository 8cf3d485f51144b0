package org.devicebridge.ledger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * Ends commands that are past their deadline and not final yet: {@code Command TimeOut}. The one
 * rule for every kind of action: a command whose call is in flight (leased to the adapter making
 * it) is never timed out under that call; its answer decides, and the deadline applies afterwards
 * if it is still not final. A command past its deadline gets no new call ({@link WorkQueue#claimDue},
 * {@link WorkQueue#claimChunk}).
 */
public class DeadlineWatch {

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineWatch.class);
    /** How long the watch holds a command it is timing out (a moment: the transition follows at once). */
    private static final Duration HOLD = Duration.ofSeconds(30);

    private final WorkQueue workQueue;
    private final CommandStore commandStore;
    private final LedgerTransitions transitions;

    public DeadlineWatch(WorkQueue workQueue, CommandStore commandStore, LedgerTransitions transitions) {
        this.workQueue = workQueue;
        this.commandStore = commandStore;
        this.transitions = transitions;
    }

    /** Ids of overdue commands with no call in flight (at most {@code limit}), for the route to split over. */
    public List<String> overdue(int limit) {
        return workQueue.overdue(limit);
    }

    /** Times the command out, unless an adapter has claimed it since it was listed (its call decides). */
    public void expire(String commandId) {
        if (!workQueue.leaseOverdue(commandId, HOLD)) {
            return;
        }
        commandStore.command(commandId).ifPresent(c -> transitions.move(commandId, new StateChange(CommandState.TIMEOUT,
                        c.vendorStatus(), null, "deadline " + c.deadlineAt() + " passed in state " + c.state()))
                .ifPresent(t -> LOG.warn("command {} ({}): timed out in state {}", commandId, c.device(), c.state())));
    }
}
