package org.devicebridge.network;

import java.time.Duration;
import java.util.Collection;

/**
 * How long bulk calls take under the network cloud's rate limit, at best: the first {@code limit}
 * calls go at once, each further {@code limit} one {@code window} later. Requests take turns call
 * by call ({@code WorkQueue.claimChunk}), so a request's last call also waits for the calls other
 * requests make meanwhile. The one estimate behind {@code --dry-run}'s ETA and the warning at
 * intake: it leaves out the slots already used and any later arrivals, so the real time is never
 * shorter.
 *
 * @param window the cloud's window plus the bridge's margin
 */
public record RateLimitEta(int limit, Duration window) {

    /** Calls needed for {@code devices} devices of one action, at most {@code chunkSize} per call. */
    public static int calls(int devices, int chunkSize) {
        return (devices + chunkSize - 1) / chunkSize;
    }

    /** When the last of {@code calls} calls goes, counted from the first. */
    public Duration lastCallAfter(int calls) {
        return calls <= limit ? Duration.ZERO : window.multipliedBy((calls - 1) / limit);
    }

    /**
     * When a request's last call goes, its {@code own} calls taking turns with the calls other
     * requests still need ({@code others}, one entry per request): until its last, each of them gets
     * at most one call per turn.
     */
    public Duration lastCallAfter(int own, Collection<Integer> others) {
        if (own == 0) {
            return Duration.ZERO;
        }
        int before = others.stream().mapToInt(o -> Math.min(o, own - 1)).sum();
        return lastCallAfter(own + before);
    }

    /** A duration for people: {@code 4 min 4 s}; under a minute {@code 7 s} or {@code 2.5 s}. */
    public static String describe(Duration d) {
        return d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : seconds(d) + " s";
    }

    /** Whole seconds when it is a whole number of them ({@code 61}), else with the fraction ({@code 2.5}). */
    public static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? String.valueOf(d.toSeconds()) : String.valueOf(d.toMillis() / 1000.0);
    }
}
