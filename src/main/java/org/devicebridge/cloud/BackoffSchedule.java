package org.devicebridge.cloud;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delays between calls: exponential backoff with jitter for retries of transient failures
 * (honouring the cloud's Retry-After), and a doubling, capped interval for status polls.
 */
public class BackoffSchedule {

    private final Duration retryBase;
    private final Duration retryCap;
    private final int maxAttempts;
    private final Duration pollInitial;
    private final Duration pollCap;

    public BackoffSchedule(Duration retryBase, Duration retryCap, int maxAttempts, Duration pollInitial, Duration pollCap) {
        this.retryBase = retryBase;
        this.retryCap = retryCap;
        this.maxAttempts = maxAttempts;
        this.pollInitial = pollInitial;
        this.pollCap = pollCap;
    }

    /** How many calls one step may make in a row that fail transiently: the last of them fails the command for good. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Delay before retry number {@code attempt} (1 = first retry): {@code base * 2^(attempt-1)},
     * capped, with "equal jitter" (half fixed, half random), and never shorter than Retry-After.
     */
    public Duration retryDelay(int attempt, Duration retryAfter) {
        long exp = retryBase.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        long capped = Math.min(exp, retryCap.toMillis());
        long half = capped / 2;
        long jittered = half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0);
        long floor = retryAfter == null ? 0 : retryAfter.toMillis();
        return Duration.ofMillis(Math.max(jittered, floor));
    }

    /** Delay before status poll number {@code polls + 1}: initial, doubling, capped. */
    public Duration pollDelay(int polls) {
        long exp = pollInitial.toMillis() << Math.min(Math.max(polls, 0), 20);
        return Duration.ofMillis(Math.min(exp, pollCap.toMillis()));
    }
}
