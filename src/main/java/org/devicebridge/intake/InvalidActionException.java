package org.devicebridge.intake;

/**
 * An action that breaks the contract and must never reach a cloud. {@link #field()} names the
 * offending field as a path within the action, e.g. {@code payload.credentials[2].id}.
 */
public class InvalidActionException extends RuntimeException {

    private final String field;
    private final String reason;

    public InvalidActionException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
