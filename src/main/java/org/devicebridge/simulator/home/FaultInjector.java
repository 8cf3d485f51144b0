package org.devicebridge.simulator.home;

import java.util.Random;

/** Injected failures: first the queued "fail the next n calls", then the random {@code 503} share. */
final class FaultInjector {

    private final Random random;
    private int remaining;
    private int status;

    FaultInjector(long seed) {
        this.random = new Random(seed);
    }

    /** Makes the next {@code count} checked calls answer {@code status} (replaces an earlier request). */
    synchronized void failNext(int count, int failureStatus) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        if (failureStatus < 400 || failureStatus > 599) {
            throw new IllegalArgumentException("status must be 4xx or 5xx: " + failureStatus);
        }
        this.remaining = count;
        this.status = failureStatus;
    }

    /** Throws the failure this call gets, if any. */
    synchronized void check(double transient5xxShare) throws HomeApiException {
        if (remaining > 0) {
            remaining--;
            throw HomeApiException.injected(status);
        }
        if (transient5xxShare > 0 && random.nextDouble() < transient5xxShare) {
            throw HomeApiException.injected(503);
        }
    }
}
