package org.devicebridge;

import java.time.Duration;

/**
 * The limits the clouds' calls are planned by, read from {@code bridge.*} in one place for the
 * running bridge and for {@code --dry-run} alike, so that the plan and the run never disagree.
 *
 * @param networkChunk     devices per network-cloud call (the cloud takes at most 100)
 * @param networkRateLimit calls per {@code networkWindow}
 * @param networkWindow    the network cloud's window plus the bridge's margin
 * @param homeBatch        devices per home-cloud call
 * @param actionDeadline   the deadline of actions without their own
 */
record CallLimits(int networkChunk, int networkRateLimit, Duration networkWindow, int homeBatch, Duration actionDeadline) {

    static CallLimits of(Settings settings) {
        return new CallLimits(
                settings.integer("bridge.network.chunk-size", 1, 100),
                settings.integer("bridge.network.rate-limit", 1, Integer.MAX_VALUE),
                settings.duration("bridge.network.rate-window")
                        .plus(settings.duration("bridge.network.rate-margin")),
                settings.integer("bridge.home.batch-size", 1, 1000),
                settings.duration("bridge.action.deadline"));
    }
}
