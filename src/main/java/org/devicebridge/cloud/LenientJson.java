package org.devicebridge.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads JSON from a cloud's answer or the ledger without throwing: blank or broken text reads as an
 * empty object, so an adapter asks {@code path(..)} and gets "missing" instead of an exception.
 */
public final class LenientJson {

    private LenientJson() {
    }

    public static JsonNode read(ObjectMapper mapper, String text) {
        try {
            return text == null || text.isBlank() ? mapper.createObjectNode() : mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return mapper.createObjectNode();
        }
    }
}
