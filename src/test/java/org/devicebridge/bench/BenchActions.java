package org.devicebridge.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.access.CredentialsPayloadValidator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bench's credentials actions: one per device, each with two credentials on one schedule,
 * normalised by the bridge's own pre-flight ({@link CredentialsPayloadValidator}), so the raw
 * driver uploads the very bytes the bridge uploads.
 */
final class BenchActions {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One device's action: the device id and its normalised payload (JSON text). */
    record Action(String device, String payload) {
    }

    private BenchActions() {
    }

    static List<Action> make(String devicePrefix, int count) {
        CredentialsPayloadValidator validator = new CredentialsPayloadValidator();
        List<Action> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode payload = JSON.createObjectNode();
            ArrayNode credentials = payload.putArray("credentials");
            for (int k = 0; k < 2; k++) {
                ObjectNode c = credentials.addObject();
                c.put("id", String.format(Locale.ROOT, "%08X", i * 2 + k + 0x1000));
                c.put("holder", "Holder " + i + "-" + k);
                c.putArray("schedule_ids").add("office-hours");
            }
            ObjectNode schedule = payload.putArray("schedules").addObject();
            schedule.put("id", "office-hours");
            schedule.put("timezone", "Europe/Berlin");
            ObjectNode interval = schedule.putArray("intervals").addObject();
            ArrayNode days = interval.putArray("days");
            List.of("MON", "TUE", "WED", "THU", "FRI").forEach(days::add);
            interval.put("start", "08:00");
            interval.put("end", "18:00");
            out.add(new Action(String.format(Locale.ROOT, "%s-%06d", devicePrefix, i),
                    validator.validateAndNormalize(payload).toString()));
        }
        return out;
    }

    /** A JSON batch document (docs/batch-format.md) of {@code credentials} actions. */
    static String batchDocument(String requestId, List<Action> actions) {
        StringBuilder b = new StringBuilder(actions.size() * 400);
        b.append("{\"request_id\":\"").append(requestId).append("\",\"actions\":[\n");
        for (int i = 0; i < actions.size(); i++) {
            Action a = actions.get(i);
            b.append(i == 0 ? "" : ",\n").append("{\"kind\":\"credentials\",\"id\":\"a-").append(i)
                    .append("\",\"device\":\"").append(a.device()).append("\",\"payload\":").append(a.payload()).append('}');
        }
        return b.append("\n]}\n").toString();
    }
}
