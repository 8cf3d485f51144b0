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

    /**
     * This command with a step's progress applied as the ledger applies it ({@link WorkQueue#saveProgress}): the
     * phase, the cloud's reference, status and scratch, the attempts and polls, when it is due. Its state stays: a
     * move is {@link LedgerTransitions}' to make, and a step's command carries the state it was claimed in.
     */
    public CommandRecord advancedBy(Progress p) {
        return new CommandRecord(id, requestId, seq, position, recordRef, actionId, kind, device, state, invalid, internal, payload,
                p.phase() != null ? p.phase() : phase, p.vendorRef() != null ? p.vendorRef() : vendorRef,
                p.vendorStatus() != null ? p.vendorStatus() : vendorStatus, p.vendorData() != null ? p.vendorData() : vendorData,
                reason, p.attempts(), polls + (p.polled() ? 1 : 0), p.nextAttemptAt(), deadlineAt, createdAt, updatedAt, finishedAt,
                resultDetail);
    }
}
