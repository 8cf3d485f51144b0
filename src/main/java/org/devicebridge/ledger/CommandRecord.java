package org.devicebridge.ledger;

import java.time.Instant;

/**
 * One row of {@code bridge_command}: a single device action as the ledger knows it.
 * {@code resultDetail} is what its adapter wants shown with the result (JSON), or null.
 */
public record CommandRecord(
        String id,
        String requestId,
        int seq,
        int position,
        String recordRef,
        String actionId,
        String kind,
        String device,
        CommandState state,
        boolean invalid,
        boolean internal,
        String payload,
        String phase,
        String vendorRef,
        String vendorStatus,
        String vendorData,
        String reason,
        int attempts,
        int polls,
        Instant nextAttemptAt,
        Instant deadlineAt,
        Instant createdAt,
        Instant updatedAt,
        Instant finishedAt,
        String resultDetail) {
}
