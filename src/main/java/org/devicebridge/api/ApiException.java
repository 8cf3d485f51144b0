package org.devicebridge.api;

/** An answer of the bridge's API other than success: its HTTP status and a message naming the field or the id. */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String field, String problem) {
        return new ApiException(400, field + ": " + problem);
    }
}
