package org.devicebridge.results;

import org.devicebridge.ledger.LedgerTransitions.StateChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/** The log's view of state changes: final states at INFO (one line per finished action), the rest at DEBUG. */
public class StateChangeLog implements Consumer<StateChanged> {

    private static final Logger LOG = LoggerFactory.getLogger(StateChangeLog.class);

    @Override
    public void accept(StateChanged e) {
        String reason = e.change().reason() == null ? "" : ": " + e.change().reason();
        if (e.change().to().isFinal()) {
            LOG.info("{} {} ({}): {}{}", e.command().kind(), e.command().device(), e.command().id(), e.change().to(), reason);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} ({}): {} -> {}", e.command().kind(), e.command().device(), e.command().id(), e.from(), e.change().to());
        }
    }
}
