package org.devicebridge.ledger;

import java.time.Instant;

/** One row of {@code bridge_request}: a batch as submitted by any trigger. */
public record RequestRecord(
        String id,
        String source,
        String sourceName,
        boolean intakeComplete,
        Instant createdAt,
        Instant intakeDoneAt,
        Instant finishedAt,
        Instant reportedAt,
        String documentDigest) {   // SHA-256 (hex) of the document it was submitted with; null for files and older requests
}
