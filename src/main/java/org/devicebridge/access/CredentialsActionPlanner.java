package org.devicebridge.access;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.intake.ActionPlanner;
import org.devicebridge.intake.InvalidActionException;

import java.util.List;

/**
 * Pre-flight and planning of {@code credentials} actions: one command per device, its payload the
 * normalised credentials-and-schedules document (the dialect's {@link CredentialsPayloadRules}).
 */
public class CredentialsActionPlanner implements ActionPlanner {

    public static final String KIND = "credentials";

    private final CredentialsPayloadRules validator;

    public CredentialsActionPlanner(CredentialsPayloadRules validator) {
        this.validator = validator;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<PlannedCommand> plan(JsonNode action) {
        JsonNode device = action.get("device");
        if (device == null || !device.isTextual() || device.asText().isBlank()) {
            throw new InvalidActionException("device", "missing; a credentials action needs the device id");
        }
        JsonNode payload = action.get("payload");
        if (payload == null || payload.isNull()) {
            throw new InvalidActionException("payload", "missing; a credentials action needs the credentials and schedules");
        }
        JsonNode normalised = validator.validateAndNormalize(payload);
        return List.of(new PlannedCommand(device.asText().trim(), normalised.toString(), AccessCloudAdapter.CREATE));
    }
}
