package org.devicebridge.access;

/**
 * A credentials-and-schedules payload that the access cloud would reject, caught by the bridge
 * before anything is sent.
 *
 * <p>{@link #field()} points at the offending value with a JSON-path-like pointer such as
 * {@code payload.credentials[2].id} or {@code payload.schedules[0].intervals[1].start};
 * {@link #reason()} says what is wrong with it. The message is {@code field + ": " + reason}.
 */
public class InvalidPayloadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Pointer to the offending value. */
    private final String field;
    /** What is wrong with the value. */
    private final String reason;

    /**
     * @param field pointer to the offending value, e.g. {@code payload.credentials[2].id}
     * @param reason what is wrong with it
     */
    public InvalidPayloadException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** @return pointer to the offending value, e.g. {@code payload.schedules[0].timezone} */
    public String field() {
        return field;
    }

    /** @return what is wrong with the value at {@link #field()} */
    public String reason() {
        return reason;
    }
}
