package org.devicebridge.simulator.access;

/** Lifecycle of a device action: {@code AWAITING_DATA -> PENDING -> RESOLVED | REJECTED}. */
enum ActionStatus {
    AWAITING_DATA,
    PENDING,
    RESOLVED,
    REJECTED
}
