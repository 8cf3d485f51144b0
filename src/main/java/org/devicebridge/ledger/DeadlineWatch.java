package org.devicebridge.ledger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Ends commands that are past their deadline and not final yet: {@code Command TimeOut}. */
public class DeadlineWatch {

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineWatch.class);

    private final Ledger ledger;
    private final LedgerTransitions transitions;

    public DeadlineWatch(Ledger ledger, LedgerTransitions transitions) {
        this.ledger = ledger;
        this.transitions = transitions;
    }

    /** Ids of overdue commands (at most {@code limit}), for the route to split over. */
    public List<String> overdue(int limit) {
        return ledger.overdue(limit);
    }

    public void expire(String commandId) {
        ledger.command(commandId).ifPresent(c -> transitions.move(commandId, new StateChange(CommandState.TIMEOUT,
                        c.vendorStatus(), null, "deadline " + c.deadlineAt() + " passed in state " + c.state()))
                .ifPresent(t -> LOG.warn("command {} ({}): timed out in state {}", commandId, c.device(), c.state())));
    }
}
