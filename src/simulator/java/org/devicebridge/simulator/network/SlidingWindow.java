package org.devicebridge.simulator.network;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

/**
 * The token's sliding-window rate limiter and the record of every request it admitted.
 *
 * <p>An admitted time {@code t} occupies a slot while {@code t > now - window}, so it frees at
 * exactly {@code t + window}. Only admitted requests occupy slots: a refused request ({@code 429})
 * does not, so a client that keeps retrying too early is not locked out for longer. Times come
 * from the simulator's own clock and never go backwards (a clock step back is clamped).
 */
final class SlidingWindow {

    private final Clock clock;
    private final List<Instant> admitted = new ArrayList<>();
    private Instant last = Instant.EPOCH;

    /** @param clock the simulator's clock (a test may move one by hand) */
    SlidingWindow(Clock clock) {
        this.clock = clock;
    }

    /**
     * Admits and records the request, or tells when to retry.
     *
     * @return empty when admitted; else the seconds until a slot frees, rounded up, at least 1
     */
    synchronized OptionalLong tryAdmit(int limit, Duration window) {
        Instant now = clock.instant();
        if (now.isBefore(last)) {
            now = last;
        }
        last = now;
        int size = admitted.size();
        int inWindow = size - firstAfter(now.minus(window));
        if (inWindow < limit) {
            admitted.add(now);
            return OptionalLong.empty();
        }
        Instant frees = admitted.get(size - limit).plus(window);
        long nanos = Duration.between(now, frees).toNanos();
        long seconds = (nanos + 999_999_999L) / 1_000_000_000L;
        return OptionalLong.of(Math.max(1L, seconds));
    }

    /** The admitted times, oldest first. */
    synchronized List<Instant> admittedTimes() {
        return List.copyOf(admitted);
    }

    /**
     * The most admitted requests within any interval {@code (t - window, t]}, the interval the
     * limiter checks on each arrival.
     */
    synchronized int maxInAnyWindow(Duration window) {
        int best = 0;
        int start = 0;
        for (int end = 0; end < admitted.size(); end++) {
            Instant windowStart = admitted.get(end).minus(window);
            while (!admitted.get(start).isAfter(windowStart)) {
                start++;
            }
            best = Math.max(best, end - start + 1);
        }
        return best;
    }

    /** Index of the first admitted time strictly after {@code instant} ({@code size} when none). */
    private int firstAfter(Instant instant) {
        int index = Collections.binarySearch(admitted, instant);
        if (index < 0) {
            return -index - 1;
        }
        while (index < admitted.size() && !admitted.get(index).isAfter(instant)) {
            index++;
        }
        return index;
    }
}
