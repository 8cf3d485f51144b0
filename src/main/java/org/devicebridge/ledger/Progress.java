package org.devicebridge.ledger;

import java.time.Instant;

/**
 * An adapter's progress on a command between two calls: which step comes next and when.
 * Null fields keep what the ledger has. The lease is released ({@code leaseUntil} null), unless the
 * step that saves this takes the next one itself at once ({@link #taken}).
 */
public record Progress(String phase, String vendorRef, String vendorStatus, String vendorData, int attempts, boolean polled,
                       Instant nextAttemptAt, Instant leaseUntil) {

    public static Progress next(String phase, Instant at) {
        return new Progress(phase, null, null, null, 0, false, at, null);
    }

    public Progress withVendor(String ref, String status, String data) {
        return new Progress(phase, ref, status, data, attempts, polled, nextAttemptAt, leaseUntil);
    }

    public Progress withVendorStatus(String status) {
        return new Progress(phase, vendorRef, status, vendorData, attempts, polled, nextAttemptAt, leaseUntil);
    }

    public Progress countPoll() {
        return new Progress(phase, vendorRef, vendorStatus, vendorData, attempts, true, nextAttemptAt, leaseUntil);
    }

    public Progress attempts(int n) {
        return new Progress(phase, vendorRef, vendorStatus, vendorData, n, polled, nextAttemptAt, leaseUntil);
    }

    /**
     * The next step taken at once by the worker that saves this, as a claim would take it: leased to this instance
     * until {@code until}, with {@code storedPhase} in the ledger (the "sent" phase of a call not to be repeated
     * blindly, e.g. {@code UPLOAD_SENT}; see {@link WorkQueue#claimDue}).
     */
    public Progress taken(String storedPhase, Instant until) {
        return new Progress(storedPhase, vendorRef, vendorStatus, vendorData, attempts, polled, nextAttemptAt, until);
    }
}
