package org.devicebridge.ledger;

/** A batch record that did not become a runnable command: unreadable, or rejected by pre-flight. */
public record RejectedRecord(int seq, String recordRef, String reason, String raw) {
}
