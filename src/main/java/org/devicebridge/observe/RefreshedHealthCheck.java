package org.devicebridge.observe;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Instant;
import java.util.Map;

/**
 * A readiness check whose probe (a database round trip, a broker connection, a ledger query) runs
 * in the background, every {@code bridge.health.refresh-interval} ({@link HealthRefresher}), not on
 * each call of {@code /observe/health}: a call answers the last result from memory, with the time
 * it was taken ({@code checked_at}). Until the first refresh, a call probes once itself.
 */
public abstract class RefreshedHealthCheck extends AbstractHealthCheck {

    private volatile HealthCheck.Result last;
    private volatile Instant checkedAt;

    protected RefreshedHealthCheck(String group, String id) {
        super(group, id);
    }

    /** Probes what this check watches, into {@code builder} (up or down, message, details). */
    protected abstract void probe(HealthCheckResultBuilder builder);

    /** Probes now and keeps the result for the calls until the next refresh. */
    public synchronized void refresh() {
        HealthCheckResultBuilder builder = HealthCheckResultBuilder.on(this);
        try {
            probe(builder);
        } catch (RuntimeException e) {
            builder.down().message("the check failed: " + e.getClass().getSimpleName());
        }
        last = builder.build();
        checkedAt = Instant.now();
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (last == null) {
            refresh();
        }
        HealthCheck.Result result = last;
        builder.state(result.getState());
        result.getMessage().ifPresent(builder::message);
        result.getDetails().forEach(builder::detail);
        builder.detail("checked_at", checkedAt.toString());
    }
}
