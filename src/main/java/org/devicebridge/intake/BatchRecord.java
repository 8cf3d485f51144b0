package org.devicebridge.intake;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One record of a batch, as read: either a parsed action or the reason it could not be read.
 *
 * @param seq    the record's position in the batch (0-based)
 * @param ref    where it stands, for people: {@code line 12} or {@code line 12 (actions[3])}
 * @param action the parsed action object, or null when {@code error} is set
 * @param raw    the record's text as far as it is known (for reports and the dead-letter file)
 * @param error  why the record could not be read, or null
 */
public record BatchRecord(int seq, String ref, JsonNode action, String raw, String error) {

    public boolean readable() {
        return error == null;
    }
}
