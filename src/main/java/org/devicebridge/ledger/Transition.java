package org.devicebridge.ledger;

import java.time.Instant;

/** One row of {@code bridge_transition}: a state change of a command, as it happened. */
public record Transition(
        Instant at,
        CommandState from,
        CommandState to,
        String vendorStatus,
        String vendorRequestId,
        String reason) {
}
