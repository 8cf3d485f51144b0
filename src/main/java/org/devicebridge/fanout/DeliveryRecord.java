package org.devicebridge.fanout;

import java.time.Instant;

/**
 * One row of the delivery log ({@code bridge_webhook_delivery}): an event and a subscriber, with
 * how its delivery went.
 *
 * @param httpStatus   status of the last attempt, or null when there was no answer
 * @param lastError    the last failed attempt's error (kept after a later success), or null
 * @param deliveredAt  when the subscriber accepted it (2xx), or null while it has not
 */
public record DeliveryRecord(String subscriber, String eventId, String eventType, Long transitionId, String requestId,
                             int attempts, Integer httpStatus, String lastError, Instant firstAttemptAt, Instant lastAttemptAt,
                             Instant deliveredAt) {

    public boolean delivered() {
        return deliveredAt != null;
    }
}
