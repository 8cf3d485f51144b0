package org.devicebridge.observe;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.devicebridge.ledger.LedgerReads;


/** Readiness: the ledger's database answers (probed in the background, see {@link RefreshedHealthCheck}). */
public class LedgerHealthCheck extends RefreshedHealthCheck {

    private final LedgerReads reads;

    public LedgerHealthCheck(LedgerReads reads) {
        super("bridge", "ledger");
        this.reads = reads;
    }

    @Override
    protected void probe(HealthCheckResultBuilder builder) {
        try {
            if (reads.ping()) {
                builder.up();
                return;
            }
            builder.down().message("the ledger database gave no answer");
        } catch (RuntimeException e) {
            builder.down().message("the ledger database is unreachable: " + e.getClass().getSimpleName());
        }
    }
}
