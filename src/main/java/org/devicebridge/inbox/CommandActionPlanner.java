package org.devicebridge.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.intake.ActionPlanner;
import org.devicebridge.intake.InvalidActionException;
import org.devicebridge.ledger.LedgerTransitions;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Pre-flight and planning of {@code command} actions for devices that pull their work from the
 * command inbox ({@code GET /v2/command-inbox/}): one command per action, {@code Command Scheduled}
 * until its {@code not_before}, then {@code Command Queued} for the device to fetch.
 */
public class CommandActionPlanner implements ActionPlanner {

    public static final String KIND = LedgerTransitions.PULLED_KIND;
    public static final String INBOX = "INBOX";

    private final ObjectMapper mapper;

    public CommandActionPlanner(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<PlannedCommand> plan(JsonNode action) {
        String device = requiredText(action, "device");
        String command = requiredText(action, "command");
        JsonNode params = action.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new InvalidActionException("params", "must be an object");
        }
        Instant notBefore = null;
        JsonNode nb = action.get("not_before");
        if (nb != null && !nb.isNull()) {
            try {
                notBefore = OffsetDateTime.parse(nb.asText()).toInstant();
            } catch (DateTimeParseException e) {
                throw new InvalidActionException("not_before", "'" + nb.asText() + "' is not an RFC3339 time");
            }
        }
        ObjectNode payload = mapper.createObjectNode().put("command", command);
        payload.set("params", params == null || params.isNull() ? mapper.createObjectNode() : params);
        payload.put("not_before", notBefore == null ? null : notBefore.toString());
        return List.of(new PlannedCommand(device, payload.toString(), INBOX, notBefore));
    }

    private static String requiredText(JsonNode action, String field) {
        JsonNode v = action.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new InvalidActionException(field, "missing; a command action needs its " + field);
        }
        return v.asText().trim();
    }
}
