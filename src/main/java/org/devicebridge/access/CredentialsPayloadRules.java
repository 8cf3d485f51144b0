package org.devicebridge.access;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The pre-flight of a {@code credentials} action's payload in the access cloud's dialect: the
 * REST dialect's document ({@link CredentialsPayloadValidator}) or the Yonomi data file
 * ({@link YonomiDataFileValidator}).
 */
public interface CredentialsPayloadRules {

    /**
     * Checks a payload and normalises it.
     *
     * @return a new payload ready to upload (the input is not modified)
     * @throws org.devicebridge.intake.InvalidActionException naming the record and field of the first problem
     */
    JsonNode validateAndNormalize(JsonNode payload);
}
