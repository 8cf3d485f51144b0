package org.devicebridge.simulator;

import java.util.Random;
import java.util.function.IntFunction;

/**
 * Decides whether a call of a simulated cloud fails on purpose: first the queued "fail the next
 * n calls" failures, then (where the cloud asks for it) the random shares of its settings.
 *
 * <p>The injector only picks the status; the cloud turns it into its own error answer through
 * the {@code failure} function, which is thrown. Thread-safe.
 *
 * <p>It also decides which successful answers are garbled ({@link #garbles}): the call takes
 * effect, and its {@code 2xx} body is cut short on the way back.
 */
public final class FaultInjector {

    private final Random random;
    private int remaining;
    private int status;
    private int garbleRemaining;

    /**
     * @param seed seed of the dice, so a run with the same settings fails the same calls
     */
    public FaultInjector(long seed) {
        this.random = new Random(seed);
    }

    /**
     * Makes the next {@code count} checked calls answer {@code failureStatus} (replaces an
     * earlier, unfinished request).
     *
     * @throws IllegalArgumentException when {@code count} is negative or the status not 4xx/5xx
     */
    public synchronized void failNext(int count, int failureStatus) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        if (failureStatus < 400 || failureStatus > 599) {
            throw new IllegalArgumentException("status must be 4xx or 5xx: " + failureStatus);
        }
        this.remaining = count;
        this.status = failureStatus;
    }

    /**
     * Cuts short the bodies of the next {@code count} successful answers (replaces an earlier,
     * unfinished request); the calls themselves take effect.
     *
     * @throws IllegalArgumentException when {@code count} is negative
     */
    public synchronized void garbleNext(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        this.garbleRemaining = count;
    }

    /**
     * Whether this successful answer goes out garbled: a queued one first, else, when
     * {@code garbledShare} is above 0, one roll of the dice for that share (no roll otherwise, so
     * the other faults fall as before).
     */
    public synchronized boolean garbles(double garbledShare) {
        if (garbleRemaining > 0) {
            garbleRemaining--;
            return true;
        }
        return garbledShare > 0 && random.nextDouble() < garbledShare;
    }

    /**
     * Throws the queued failure this call gets, if any; never rolls the dice.
     *
     * @param failure the cloud's error answer for a status
     */
    public synchronized <E extends Exception> void check(IntFunction<E> failure) throws E {
        if (remaining > 0) {
            remaining--;
            throw failure.apply(status);
        }
    }

    /**
     * Throws the queued failure, else, when {@code transient5xxShare} is above 0, rolls once and
     * throws a {@code 503} for that share of calls.
     */
    public synchronized <E extends Exception> void check(double transient5xxShare, IntFunction<E> failure)
            throws E {
        check(failure);
        if (transient5xxShare > 0 && random.nextDouble() < transient5xxShare) {
            throw failure.apply(503);
        }
    }

    /**
     * Throws the queued failure, else rolls once (whatever the shares) and throws a {@code 503}
     * for {@code transient5xxShare} of the calls and a {@code 429} for {@code tooManyRequestsShare}.
     */
    public synchronized <E extends Exception> void check(double transient5xxShare, double tooManyRequestsShare,
                                                         IntFunction<E> failure) throws E {
        check(failure);
        double roll = random.nextDouble();
        if (roll < transient5xxShare) {
            throw failure.apply(503);
        }
        if (roll < transient5xxShare + tooManyRequestsShare) {
            throw failure.apply(429);
        }
    }
}
