package org.devicebridge.simulator.access;

import java.time.Instant;

/** Immutable state of one device action; changes produce new instances. */
record DeviceAction(
        String id,
        String deviceId,
        String type,
        ActionStatus status,
        String reason,
        String uploadToken,
        Instant uploadUrlExpiresAt,
        Instant createdAt,
        Instant updatedAt) {

    /** The only action type this cloud knows. */
    static final String UPDATE_CREDENTIALS_AND_SCHEDULES = "UPDATE_CREDENTIALS_AND_SCHEDULES";

    DeviceAction withStatus(ActionStatus newStatus, String newReason, Instant at) {
        return new DeviceAction(id, deviceId, type, newStatus, newReason, uploadToken, uploadUrlExpiresAt,
                createdAt, at);
    }

    DeviceAction withUploadUrlExpiresAt(Instant expiresAt) {
        return new DeviceAction(id, deviceId, type, status, reason, uploadToken, expiresAt, createdAt, updatedAt);
    }

    boolean uploadUrlExpiredAt(Instant now) {
        return !now.isBefore(uploadUrlExpiresAt);
    }
}
