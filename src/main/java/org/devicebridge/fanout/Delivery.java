package org.devicebridge.fanout;

/**
 * One event to send to one subscriber, in its turn: it may go out only while the subscriber's
 * cursors still stand where they stood when it was planned ({@code afterTransition},
 * {@code afterFinished}), so a failed delivery stops the ones planned after it and order is kept.
 *
 * @param transitionId the transition to announce (COMMAND_STATUS_UPDATED), or 0
 * @param finishedId   the {@code bridge_finished_request} row to announce (REQUEST_SUMMARY), or 0
 * @param requestId    the finished request, for a summary
 */
public record Delivery(String subscriber, String leaseToken, long afterTransition, long afterFinished,
                       long transitionId, long finishedId, String requestId) {

    public static final String COMMAND_STATUS_UPDATED = "COMMAND_STATUS_UPDATED";
    public static final String REQUEST_SUMMARY = "REQUEST_SUMMARY";

    public boolean isSummary() {
        return finishedId > 0;
    }

    /** Deterministic, so a receiver can drop the repeats of an event it already has. */
    public String eventId() {
        return isSummary() ? "summary-" + requestId : "transition-" + transitionId;
    }

    public String eventType() {
        return isSummary() ? REQUEST_SUMMARY : COMMAND_STATUS_UPDATED;
    }

    /** The subscriber's cursors once this event is delivered. */
    long nextTransition() {
        return isSummary() ? afterTransition : transitionId;
    }

    long nextFinished() {
        return isSummary() ? finishedId : afterFinished;
    }
}
