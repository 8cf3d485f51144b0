package org.devicebridge.inbox;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.StateChange;
import org.devicebridge.ledger.WorkQueue;

import java.util.List;

/**
 * The pull model: a device fetches its queued commands ({@code Command Initiated} from then on) and
 * reports back through the status API. Delivery is at least once: a command fetched but not yet
 * acknowledged is delivered again on the next fetch, until its deadline ends it {@code Command TimeOut}.
 */
public class CommandInbox {

    private final WorkQueue workQueue;
    private final LedgerReads reads;
    private final LedgerTransitions transitions;

    public CommandInbox(WorkQueue workQueue, LedgerReads reads, LedgerTransitions transitions) {
        this.workQueue = workQueue;
        this.reads = reads;
        this.transitions = transitions;
    }

    /** The device's commands, oldest first; queued ones become {@code Command Initiated} (delivered). */
    public List<CommandRecord> deliver(String device) {
        for (CommandRecord c : reads.inboxFor(CommandActionPlanner.KIND, device)) {
            if (c.state() == CommandState.QUEUED) {
                transitions.move(c.id(), new StateChange(CommandState.INITIATED, null, null, "delivered to the device's inbox"));
            }
        }
        return reads.inboxFor(CommandActionPlanner.KIND, device);
    }

    /** Scheduled commands whose {@code not_before} has come (ids, for the route to split over). */
    public List<String> dueScheduled() {
        return workQueue.dueScheduled(500);
    }

    /** {@code Command Scheduled -> Command Queued}: the device may fetch it now. */
    public void release(String commandId) {
        transitions.move(commandId, new StateChange(CommandState.QUEUED, null, null, "not_before reached"));
    }
}
