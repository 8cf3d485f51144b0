package org.devicebridge.ledger;

import java.time.Instant;

/**
 * A device action as intake hands it to the ledger, before any call is made for it.
 *
 * @param id          deterministic id (same request + same position gives the same id, so a
 *                    re-read batch creates nothing new)
 * @param seq         the record's position in the batch; {@code position}: the device's within the record
 * @param state       {@link CommandState#QUEUED}, {@link CommandState#SCHEDULED}, or
 *                    {@link CommandState#FAILURE} for an action that failed pre-flight
 * @param phase       the adapter's first step (e.g. {@code CREATE}); {@code DONE} for invalid ones
 * @param reason      why pre-flight rejected it, naming the record and the field; else null
 */
public record NewCommand(
        String id,
        String requestId,
        int seq,
        int position,
        String recordRef,
        String actionId,
        String kind,
        String device,
        CommandState state,
        String payload,
        String phase,
        Instant nextAttemptAt,
        Instant deadlineAt,
        String reason) {

    public boolean invalid() {
        return state == CommandState.FAILURE;
    }
}
