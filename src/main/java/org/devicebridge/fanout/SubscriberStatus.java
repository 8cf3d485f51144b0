package org.devicebridge.fanout;

import java.time.Instant;

/**
 * Where a subscriber stands ({@code bridge_subscriber}): its cursors, its backlog and how the
 * last attempt went.
 *
 * @param url      as configured, query string redacted
 * @param backlog  state changes recorded and not yet delivered to it
 * @param attempts failed attempts at its next event (0 when the last attempt succeeded)
 */
public record SubscriberStatus(String name, String url, long lastTransitionId, long backlog, int attempts,
                               Integer lastStatus, String lastError, Instant nextAttemptAt, Instant lastDeliveredAt,
                               Instant pausedUntil) {
}
