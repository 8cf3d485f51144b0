package org.devicebridge.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares what a device reports it holds ({@code GET /v1/devices/{id}/credentials-and-schedules})
 * with the document the bridge uploaded, normalised so that only a real difference counts: entries
 * in any order, credential ids padded and upper-cased ({@link CredentialIdNormalizer}), a credential's
 * {@code schedule_ids} and a schedule's {@code intervals} and days in any order, times in any RFC3339
 * spelling of the same instant, an absent field the same as null.
 * <p>
 * The difference it names says what differs (counts, the first differing id, the names of the
 * fields that differ), never a value: holders' names and validity stay out of the ledger's reasons.
 */
public final class AppliedDocumentCheck {

    private final CredentialIdNormalizer ids = new CredentialIdNormalizer();

    /** Empty when the device holds what was uploaded; else what differs, without values. */
    public Optional<String> difference(JsonNode uploaded, JsonNode held) {
        Map<String, ObjectNode> sentCredentials = credentials(uploaded.path("credentials"));
        Map<String, ObjectNode> heldCredentials = credentials(held.path("credentials"));
        Map<String, ObjectNode> sentSchedules = schedules(uploaded.path("schedules"));
        Map<String, ObjectNode> heldSchedules = schedules(held.path("schedules"));
        Optional<String> first = firstDifference("credential", sentCredentials, heldCredentials)
                .or(() -> firstDifference("schedule", sentSchedules, heldSchedules));
        return first.map(what -> "the device holds " + heldCredentials.size() + " credentials and " + heldSchedules.size()
                + " schedules, the document uploaded " + sentCredentials.size() + " and " + sentSchedules.size() + "; first difference: "
                + what);
    }

    private static Optional<String> firstDifference(String entity, Map<String, ObjectNode> sent, Map<String, ObjectNode> held) {
        TreeSet<String> all = new TreeSet<>(sent.keySet());
        all.addAll(held.keySet());
        for (String id : all) {
            ObjectNode s = sent.get(id);
            ObjectNode h = held.get(id);
            if (h == null) {
                return Optional.of(entity + " " + id + " missing on the device");
            }
            if (s == null) {
                return Optional.of(entity + " " + id + " on the device, not in the document");
            }
            if (!s.equals(h)) {
                TreeSet<String> fields = new TreeSet<>();
                s.fieldNames().forEachRemaining(fields::add);
                h.fieldNames().forEachRemaining(fields::add);
                fields.removeIf(f -> s.path(f).equals(h.path(f)));
                return Optional.of(entity + " " + id + " differs in " + String.join(", ", fields));
            }
        }
        return Optional.empty();
    }

    private Map<String, ObjectNode> credentials(JsonNode list) {
        Map<String, ObjectNode> byId = new TreeMap<>();
        for (JsonNode c : list) {
            ObjectNode n = canonical(c);
            String id = c.path("id").asText("");
            try {
                id = ids.normalize(id);
            } catch (IllegalArgumentException e) {
                // not an id the device should hold: compared as it is, so it shows as a difference
            }
            n.put("id", id);
            sortTexts(n, "schedule_ids");
            byId.put(id, n);
        }
        return byId;
    }

    private static Map<String, ObjectNode> schedules(JsonNode list) {
        Map<String, ObjectNode> byId = new TreeMap<>();
        for (JsonNode s : list) {
            ObjectNode n = canonical(s);
            JsonNode intervals = n.path("intervals");
            if (intervals.isArray()) {
                List<JsonNode> sorted = new ArrayList<>();
                for (JsonNode i : intervals) {
                    ObjectNode interval = canonical(i);
                    sortTexts(interval, "days");
                    sorted.add(interval);
                }
                sorted.sort(java.util.Comparator.comparing(JsonNode::toString));
                n.set("intervals", JsonNodeFactory.instance.arrayNode().addAll(sorted));
            }
            byId.put(s.path("id").asText(""), n);
        }
        return byId;
    }

    /** A copy with null fields dropped (absent = null) and RFC3339 times as their instant. */
    private static ObjectNode canonical(JsonNode node) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        if (!node.isObject()) {
            n.set("value", node);
            return n;
        }
        for (Iterator<Map.Entry<String, JsonNode>> f = node.fields(); f.hasNext(); ) {
            Map.Entry<String, JsonNode> e = f.next();
            JsonNode v = e.getValue();
            if (v == null || v.isNull()) {
                continue;
            }
            if (v.isTextual() && (e.getKey().startsWith("valid_"))) {
                try {
                    v = JsonNodeFactory.instance.textNode(OffsetDateTime.parse(v.asText()).toInstant().toString());
                } catch (DateTimeParseException ignored) {
                    // compared as written
                }
            }
            n.set(e.getKey(), v);
        }
        return n;
    }

    private static void sortTexts(ObjectNode n, String field) {
        JsonNode list = n.path(field);
        if (list.isArray()) {
            TreeSet<String> sorted = new TreeSet<>();
            list.forEach(v -> sorted.add(v.asText()));
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            sorted.forEach(a::add);
            n.set(field, a);
        }
    }
}
