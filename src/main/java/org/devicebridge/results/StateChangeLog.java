package org.devicebridge.results;

import org.devicebridge.ledger.LedgerTransitions.StateChanged;
import org.devicebridge.observe.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.function.Consumer;

/**
 * The log's view of state changes: final states at INFO (one line per finished action), the rest at
 * DEBUG. Kinds whose adapter logs one line per call with the outcome counts (bulk: up to 100 devices
 * a call, thousands a batch) have their devices' final states at DEBUG too.
 */
public class StateChangeLog implements Consumer<StateChanged> {

    private static final Logger LOG = LoggerFactory.getLogger(StateChangeLog.class);

    private final Set<String> summarisedPerCall;
    private final Set<String> simulatedKinds;

    /** @param summarisedPerCall kinds whose final states are logged at DEBUG, their adapter summing them up per call */
    public StateChangeLog(Set<String> summarisedPerCall) {
        this(summarisedPerCall, Set.of());
    }

    /** @param simulatedKinds kinds the built-in simulator stands in for: their lines say SIMULATED */
    public StateChangeLog(Set<String> summarisedPerCall, Set<String> simulatedKinds) {
        this.summarisedPerCall = Set.copyOf(summarisedPerCall);
        this.simulatedKinds = Set.copyOf(simulatedKinds);
    }

    @Override
    public void accept(StateChanged e) {
        try (LogContext ignored = LogContext.command(e.command())) {
            log(e);
        }
    }

    private void log(StateChanged e) {
        String reason = (e.change().reason() == null ? "" : ": " + e.change().reason())
                + (simulatedKinds.contains(e.command().kind()) ? " (SIMULATED: no real device touched)" : "");
        if (e.change().to().isFinal() && !summarisedPerCall.contains(e.command().kind())) {
            LOG.info("{} {} ({}): {}{}", e.command().kind(), e.command().device(), e.command().id(), e.change().to(), reason);
        } else if (e.change().to().isFinal()) {
            LOG.debug("{} {} ({}): {}{}", e.command().kind(), e.command().device(), e.command().id(), e.change().to(), reason);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} ({}): {} -> {}", e.command().kind(), e.command().device(), e.command().id(), e.from(), e.change().to());
        }
    }
}
