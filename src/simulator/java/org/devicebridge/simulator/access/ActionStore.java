package org.devicebridge.simulator.access;

import com.fasterxml.jackson.databind.node.ArrayNode;
import org.devicebridge.simulator.HexIds;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe state of the access cloud: actions, upload tokens, applied device data and the
 * counters tests inspect. Every state transition is atomic per action.
 */
final class ActionStore {

    /** Creation order, ties broken by id. */
    static final Comparator<DeviceAction> CREATION_ORDER =
            Comparator.comparing(DeviceAction::createdAt).thenComparing(DeviceAction::id);

    private final ConcurrentHashMap<String, DeviceAction> actions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> actionIdByToken = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AppliedData> appliedByDevice = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> createsByDevice = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> uploadsByAction = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, java.util.List<String>> actionIdsByDevice = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> mostOpenByDevice = new ConcurrentHashMap<>();

    /** What the device currently has applied. */
    record AppliedData(ArrayNode credentials, ArrayNode schedules, Instant updatedAt) {
    }

    /** Result of an upload attempt. */
    enum UploadResult { ACCEPTED, UNKNOWN_TOKEN, EXPIRED, ALREADY_UPLOADED }

    /** Outcome of {@link #acceptUpload}: the result and the action as it is afterwards. */
    record UploadOutcome(UploadResult result, DeviceAction action) {
    }

    DeviceAction create(String deviceId, Instant now, Duration uploadUrlTtl) {
        String token = HexIds.random(48);
        DeviceAction action = new DeviceAction(HexIds.random(32), deviceId,
                DeviceAction.UPDATE_CREDENTIALS_AND_SCHEDULES, ActionStatus.AWAITING_DATA, null, token,
                now.plus(uploadUrlTtl), now, now);
        actions.put(action.id(), action);
        actionIdByToken.put(token, action.id());
        createsByDevice.computeIfAbsent(deviceId, k -> new AtomicInteger()).incrementAndGet();
        java.util.List<String> own = actionIdsByDevice.computeIfAbsent(deviceId, k -> new java.util.concurrent.CopyOnWriteArrayList<>());
        own.add(action.id());
        // open: waiting for its data (upload URL still valid) or being applied
        int open = (int) own.stream().map(actions::get).filter(a -> a != null && (a.status() == ActionStatus.PENDING
                || (a.status() == ActionStatus.AWAITING_DATA && !a.uploadUrlExpiredAt(now)))).count();
        mostOpenByDevice.computeIfAbsent(deviceId, k -> new AtomicInteger()).accumulateAndGet(open, Math::max);
        return action;
    }

    Optional<DeviceAction> find(String id) {
        return Optional.ofNullable(actions.get(id));
    }

    /** A snapshot of all actions in creation order. */
    List<DeviceAction> all() {
        return actions.values().stream().sorted(CREATION_ORDER).toList();
    }

    /** Moves the token's action from {@code AWAITING_DATA} to {@code PENDING} when allowed. */
    UploadOutcome acceptUpload(String token, Instant now) {
        String id = actionIdByToken.get(token);
        if (id == null) {
            return new UploadOutcome(UploadResult.UNKNOWN_TOKEN, null);
        }
        UploadResult[] result = new UploadResult[1];
        DeviceAction after = actions.computeIfPresent(id, (key, action) -> {
            if (action.status() != ActionStatus.AWAITING_DATA) {
                result[0] = UploadResult.ALREADY_UPLOADED;
                return action;
            }
            if (action.uploadUrlExpiredAt(now)) {
                result[0] = UploadResult.EXPIRED;
                return action;
            }
            result[0] = UploadResult.ACCEPTED;
            return action.withStatus(ActionStatus.PENDING, null, now);
        });
        if (result[0] == UploadResult.ACCEPTED) {
            uploadsByAction.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }
        return new UploadOutcome(result[0], after);
    }

    /** Ends a {@code PENDING} action; returns the final action. */
    DeviceAction finish(String id, ActionStatus status, String reason, Instant now) {
        return actions.computeIfPresent(id, (key, action) ->
                action.status() == ActionStatus.PENDING ? action.withStatus(status, reason, now) : action);
    }

    /** Most credentials a device keeps (a full memory): the rest of a document is lost without a word. */
    private volatile int deviceCapacity = Integer.MAX_VALUE;

    void deviceCapacity(int credentials) {
        deviceCapacity = credentials;
    }

    /** Replaces the device's applied credentials and schedules (as many credentials as it has room for). */
    void apply(String deviceId, ArrayNode credentials, ArrayNode schedules, Instant now) {
        ArrayNode kept = credentials.deepCopy();
        while (kept.size() > deviceCapacity) {
            kept.remove(kept.size() - 1);
        }
        appliedByDevice.put(deviceId, new AppliedData(kept, schedules.deepCopy(), now));
    }

    Optional<AppliedData> applied(String deviceId) {
        return Optional.ofNullable(appliedByDevice.get(deviceId));
    }

    /** Lets every upload URL of an {@code AWAITING_DATA} action expire at {@code now}. */
    void expireUploadUrls(Instant now) {
        actions.replaceAll((id, action) -> action.status() == ActionStatus.AWAITING_DATA
                && now.isBefore(action.uploadUrlExpiresAt()) ? action.withUploadUrlExpiresAt(now) : action);
    }

    int createCount(String deviceId) {
        AtomicInteger count = createsByDevice.get(deviceId);
        return count == null ? 0 : count.get();
    }

    int mostOpenAtOnce(String deviceId) {
        AtomicInteger most = mostOpenByDevice.get(deviceId);
        return most == null ? 0 : most.get();
    }

    int uploadCount(String actionId) {
        AtomicInteger count = uploadsByAction.get(actionId);
        return count == null ? 0 : count.get();
    }
}
