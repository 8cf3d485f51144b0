package org.devicebridge.ledger;

import java.time.Instant;

/**
 * An adapter's progress on a command between two calls: which step comes next and when.
 * Null fields keep what the ledger has.
 */
public record Progress(String phase, String vendorRef, String vendorStatus, String vendorData, int attempts, boolean polled,
                       Instant nextAttemptAt) {

    public static Progress next(String phase, Instant at) {
        return new Progress(phase, null, null, null, 0, false, at);
    }

    public Progress withVendor(String ref, String status, String data) {
        return new Progress(phase, ref, status, data, attempts, polled, nextAttemptAt);
    }

    public Progress withVendorStatus(String status) {
        return new Progress(phase, vendorRef, status, vendorData, attempts, polled, nextAttemptAt);
    }

    public Progress countPoll() {
        return new Progress(phase, vendorRef, vendorStatus, vendorData, attempts, true, nextAttemptAt);
    }

    public Progress attempts(int n) {
        return new Progress(phase, vendorRef, vendorStatus, vendorData, n, polled, nextAttemptAt);
    }
}
