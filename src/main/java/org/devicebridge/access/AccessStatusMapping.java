package org.devicebridge.access;

import org.devicebridge.ledger.CommandState;

import java.util.Map;
import java.util.Optional;

/** The access cloud's action statuses and the command states they mean: the one table of it. */
public final class AccessStatusMapping {

    private static final Map<String, CommandState> TABLE = Map.of(
            "AWAITING_DATA", CommandState.INITIATED,   // action created, waiting for the payload upload
            "PENDING", CommandState.IN_PROGRESS,       // payload received, the device is applying it
            "RESOLVED", CommandState.SUCCESS,          // applied on the device
            "REJECTED", CommandState.FAILURE);         // refused; the action's reason says why

    private AccessStatusMapping() {
    }

    public static Optional<CommandState> stateOf(String vendorStatus) {
        return Optional.ofNullable(vendorStatus == null ? null : TABLE.get(vendorStatus));
    }
}
