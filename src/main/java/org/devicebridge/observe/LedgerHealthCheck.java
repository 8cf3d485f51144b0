package org.devicebridge.observe;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.devicebridge.ledger.LedgerReads;

import java.util.Map;

/** Readiness: the ledger's database answers. */
public class LedgerHealthCheck extends AbstractHealthCheck {

    private final LedgerReads reads;

    public LedgerHealthCheck(LedgerReads reads) {
        super("bridge", "ledger");
        this.reads = reads;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
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
