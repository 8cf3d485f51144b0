package org.devicebridge.ledger;

import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;

/**
 * A Camel {@link Policy} that runs the steps it wraps in one ledger transaction: a route writes a
 * step's whole outcome (the call, the progress, the state change, the lease released) with one
 * commit, and nothing of it when the step fails. State-change and call listeners are told after the
 * commit ({@link Ledger#afterCommit}), never about a write a rollback undid.
 * <pre>
 * - policy:
 *     ref: ledgerTransaction
 *     steps:
 *       - bean: { ref: accessCloud, method: recordCreate }
 * </pre>
 */
public class StepTransaction implements Policy {

    private final Ledger ledger;

    public StepTransaction(Ledger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare
    }

    @Override
    public Processor wrap(Route route, Processor processor) {
        return exchange -> ledger.tx().executeWithoutResult(status -> {
            try {
                processor.process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            if (exchange.getException() != null) {
                status.setRollbackOnly(); // the route's error handling sees the exception as before
            }
        });
    }
}
