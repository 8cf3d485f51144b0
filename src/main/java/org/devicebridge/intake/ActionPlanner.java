package org.devicebridge.intake;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Turns one validated batch action of a kind into the device commands the ledger records.
 * One implementation per action kind, beside the adapter of the cloud that runs it.
 */
public interface ActionPlanner {

    /** The batch format's {@code kind}, e.g. {@code credentials}. */
    String kind();

    /**
     * Validates the action (pre-flight: everything the cloud would reject) and plans its commands.
     *
     * @throws InvalidActionException naming the field, when the action must not be sent
     */
    List<PlannedCommand> plan(JsonNode action);

    /**
     * One device command: the device, its normalised payload (JSON), the adapter's first step and,
     * for commands that must wait, the time before which nothing happens ({@code Command Scheduled}).
     */
    record PlannedCommand(String device, String payload, String firstPhase, java.time.Instant notBefore) {

        public PlannedCommand(String device, String payload, String firstPhase) {
            this(device, payload, firstPhase, null);
        }
    }
}
