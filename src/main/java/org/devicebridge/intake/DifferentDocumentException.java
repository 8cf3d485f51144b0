package org.devicebridge.intake;

/**
 * A document submitted under a request id that was taken in before from a different document:
 * neither a replay (that would answer what the first one created) nor a new request (the id is
 * taken). Nothing of it is taken in.
 */
public class DifferentDocumentException extends RuntimeException {

    private final String requestId;

    public DifferentDocumentException(String requestId) {
        super("request " + requestId + " was submitted before with a different document");
        this.requestId = requestId;
    }

    public String requestId() {
        return requestId;
    }
}
