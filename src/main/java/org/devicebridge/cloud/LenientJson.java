package org.devicebridge.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Optional;

/**
 * Reads JSON from a cloud's answer or the ledger without throwing: blank or broken text reads as an
 * empty object, so an adapter asks {@code path(..)} and gets "missing" instead of an exception.
 * <p>
 * Where an answer must say something ({@link #strict}), broken text is told apart from an empty
 * object: a truncated or garbled {@code 2xx} body is an answer lost, not an answer that says nothing.
 */
public final class LenientJson {

    private LenientJson() {
    }

    public static JsonNode read(ObjectMapper mapper, String text) {
        return strict(mapper, text).orElseGet(mapper::createObjectNode);
    }

    /** The text as JSON; empty when it is blank or not JSON (cut short, garbled). */
    public static Optional<JsonNode> strict(ObjectMapper mapper, String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(mapper.readTree(text));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** Why {@link #strict} found nothing in the text, for a log line or a reason (never the text itself). */
    public static String whyUnreadable(String text) {
        return text == null || text.isBlank() ? "empty body" : "not JSON (truncated or garbled, " + text.length() + " characters)";
    }
}
