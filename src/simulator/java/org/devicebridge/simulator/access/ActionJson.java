package org.devicebridge.simulator.access;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.simulator.SimulatorHttp;

import java.util.Optional;

/** Renders actions and applied device data as the wire JSON of the access cloud. */
final class ActionJson {

    private final String uploadBaseUrl;

    /**
     * @param uploadBaseUrl absolute URL the upload tokens are appended to, e.g.
     *                      {@code http://127.0.0.1:PORT/uploads}
     */
    ActionJson(String uploadBaseUrl) {
        this.uploadBaseUrl = uploadBaseUrl;
    }

    String uploadUrl(DeviceAction action) {
        return uploadBaseUrl + "/" + action.uploadToken();
    }

    /** The action object; {@code upload_url*} only while awaiting data, {@code reason} only when rejected. */
    ObjectNode action(DeviceAction action) {
        ObjectNode node = SimulatorHttp.JSON.createObjectNode()
                .put("object", "device-action")
                .put("id", action.id())
                .put("device_id", action.deviceId())
                .put("type", action.type())
                .put("status", action.status().name());
        if (action.status() == ActionStatus.REJECTED) {
            node.put("reason", action.reason());
        }
        if (action.status() == ActionStatus.AWAITING_DATA) {
            node.put("upload_url", uploadUrl(action));
            node.put("upload_url_expires_at", Times.format(action.uploadUrlExpiresAt()));
        }
        node.put("created_at", Times.format(action.createdAt()));
        node.put("updated_at", Times.format(action.updatedAt()));
        return node;
    }

    /** The device's credentials-and-schedules document (empty before anything was applied). */
    ObjectNode applied(String deviceId, Optional<ActionStore.AppliedData> applied) {
        ObjectNode node = SimulatorHttp.JSON.createObjectNode().put("device_id", deviceId);
        if (applied.isPresent()) {
            node.set("credentials", applied.get().credentials().deepCopy());
            node.set("schedules", applied.get().schedules().deepCopy());
            node.put("updated_at", Times.format(applied.get().updatedAt()));
        } else {
            node.putArray("credentials");
            node.putArray("schedules");
            node.putNull("updated_at");
        }
        return node;
    }
}
