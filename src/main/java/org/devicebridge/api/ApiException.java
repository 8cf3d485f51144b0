package org.devicebridge.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An answer of the bridge's API other than success: its HTTP status, a message naming the field or
 * the id, and, for a request the bridge refused because of its parameters or fields, each of them
 * with what is wrong with it (the error body's {@code fields}).
 */
public class ApiException extends RuntimeException {

    /** One parameter or field at fault, and why. */
    public record FieldProblem(String name, String message) {
    }

    private final int status;
    private final List<FieldProblem> fields;

    public ApiException(int status, String message) {
        this(status, message, List.of());
    }

    public ApiException(int status, String message, List<FieldProblem> fields) {
        super(message);
        this.status = status;
        this.fields = List.copyOf(fields);
    }

    public int status() {
        return status;
    }

    /** The parameters or fields at fault (empty when the problem is not one of them). */
    public List<FieldProblem> fields() {
        return fields;
    }

    /** {@code 400}: one parameter or field is invalid; the message is {@code "<field>: <problem>"}. */
    public static ApiException badRequest(String field, String problem) {
        return new ApiException(400, field + ": " + problem, List.of(new FieldProblem(field, problem)));
    }

    /** {@code 400} naming every parameter or field at fault, the message listing them in order. */
    public static ApiException invalid(List<FieldProblem> problems) {
        return new ApiException(400, problems.stream().map(p -> p.name() + ": " + p.message()).collect(Collectors.joining("; ")),
                problems);
    }
}
