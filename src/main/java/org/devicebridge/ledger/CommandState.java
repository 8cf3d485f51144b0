package org.devicebridge.ledger;

import java.util.Arrays;
import java.util.Optional;

/**
 * The command states of the status API contract (docs/cloud-contracts.md section 5), in the order a command moves through them.
 * <p>
 * {@link #rank} orders them: a command only ever moves to a state of a higher rank (never
 * backwards), with one exception, {@code Command Scheduled -> Command Queued} when a
 * {@code not_before} time has passed. The rules themselves live in {@link LedgerTransitions}.
 */
public enum CommandState {
    QUEUED("Command Queued", 0, false),
    SCHEDULED("Command Scheduled", 0, false),
    INITIATED("Command Initiated", 1, false),
    ACKNOWLEDGED("Command Acknowledged", 2, false),
    IN_PROGRESS("Command In Progress", 3, false),
    SUCCESS("Command Success", 4, true),
    FAILURE("Command Failure", 4, true),
    TIMEOUT("Command TimeOut", 4, true),
    CANCELLED("Command Cancelled", 4, true);

    private final String label;
    private final int rank;
    private final boolean terminal;

    CommandState(String label, int rank, boolean terminal) {
        this.label = label;
        this.rank = rank;
        this.terminal = terminal;
    }

    /** The wire name, e.g. {@code "Command Success"}: stored in the ledger and shown in every API. */
    public String label() {
        return label;
    }

    public int rank() {
        return rank;
    }

    public boolean isFinal() {
        return terminal;
    }

    public static Optional<CommandState> fromLabel(String label) {
        return Optional.ofNullable(label == null ? null : BY_LABEL.get(label));
    }

    private static final java.util.Map<String, CommandState> BY_LABEL = Arrays.stream(values())
            .collect(java.util.stream.Collectors.toUnmodifiableMap(s -> s.label, s -> s));

    public static CommandState of(String label) {
        return fromLabel(label).orElseThrow(() -> new IllegalArgumentException("unknown command state '" + label + "'"));
    }

    @Override
    public String toString() {
        return label;
    }
}
