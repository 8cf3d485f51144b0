package org.devicebridge.ledger;

/**
 * What a caller wants to happen to a command: the target state plus what the cloud said.
 *
 * @param to              target state
 * @param vendorStatus    the cloud's own status word (e.g. {@code RESOLVED}), or null
 * @param vendorRequestId the cloud's X-Request-ID / request_id of the call that told us, or null
 * @param reason          human-readable reason (failures), or null
 */
public record StateChange(CommandState to, String vendorStatus, String vendorRequestId, String reason) {

    public static StateChange to(CommandState to) {
        return new StateChange(to, null, null, null);
    }

    public static StateChange failure(String reason, String vendorStatus, String vendorRequestId) {
        return new StateChange(CommandState.FAILURE, vendorStatus, vendorRequestId, reason);
    }
}
