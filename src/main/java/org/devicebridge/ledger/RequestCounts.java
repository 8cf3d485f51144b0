package org.devicebridge.ledger;

import java.util.Map;

/** How many of a request's commands are in each state (keyed by label), plus {@code invalid}. */
public record RequestCounts(Map<String, Integer> byState) {

    public int of(CommandState state) {
        return byState.getOrDefault(state.label(), 0);
    }

    public int invalid() {
        return byState.getOrDefault("invalid", 0);
    }

    /** All commands and unreadable records. */
    public int total() {
        return byState.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Final commands, including invalid ones and unreadable records. */
    public int done() {
        int n = invalid();
        for (CommandState s : CommandState.values()) {
            if (s.isFinal()) {
                n += of(s);
            }
        }
        return n;
    }
}
