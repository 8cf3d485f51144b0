package org.devicebridge.ledger;

import java.time.Instant;

/** One row of {@code bridge_call}: a call to a cloud, with its status and the cloud's request id. */
public record CallRecord(Instant at, String operation, Integer httpStatus, String vendorRequestId, long durationMs, String error) {
}
