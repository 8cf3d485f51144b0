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
 * With a {@link GroupCommit} (an embedded H2 ledger, {@code bridge.db.group-commit}), the steps that
 * end at about the same time share one transaction and one commit, each in a savepoint of its own:
 * a failed step still leaves nothing, and its worker goes on only once its outcome is committed.
 */
public class StepTransaction implements Policy {

    private final Ledger ledger;
    /** null: each step commits on its own. */
    private final GroupCommit group;

    public StepTransaction(Ledger ledger) {
        this(ledger, null);
    }

    public StepTransaction(Ledger ledger, GroupCommit group) {
        this.ledger = ledger;
        this.group = group;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare
    }

    @Override
    public Processor wrap(Route route, Processor processor) {
        if (group != null) {
            return exchange -> {
                try {
                    group.run(() -> {
                        try {
                            processor.process(exchange);
                        } catch (Exception e) {
                            exchange.setException(e);
                        }
                        if (exchange.getException() != null) {
                            throw new StepFailed(); // this step's savepoint rolls back; the others' writes stay
                        }
                    });
                } catch (StepFailed e) {
                    // the route's error handling sees the step's own exception, set above
                } catch (RuntimeException e) {
                    exchange.setException(e); // the group's commit failed: nothing of this step was written
                }
            };
        }
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

    /** Rolls back a step whose exchange carries an exception. */
    private static final class StepFailed extends RuntimeException {
        StepFailed() {
            super("step failed", null, false, false);
        }
    }
}
