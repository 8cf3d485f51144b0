package org.devicebridge.observe;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Refreshes every {@link RefreshedHealthCheck} of the context's health-check registry in the
 * background, one after the other, every {@code interval} (the first time as soon as the context
 * starts), so that readiness probes are answered from memory.
 */
public class HealthRefresher extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HealthRefresher.class);

    private final CamelContext context;
    private final Duration interval;
    private ScheduledExecutorService timer;

    public HealthRefresher(CamelContext context, Duration interval) {
        this.context = context;
        this.interval = interval;
    }

    @Override
    protected void doStart() {
        timer = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "health-refresh");
        timer.scheduleWithFixedDelay(this::refreshAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            context.getExecutorServiceManager().shutdownNow(timer);
            timer = null;
        }
    }

    /** Refreshes each check once; one that fails is reported down by itself, the others go on. */
    void refreshAll() {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return;
        }
        try {
            registry.stream().filter(RefreshedHealthCheck.class::isInstance).map(RefreshedHealthCheck.class::cast)
                    .forEach(RefreshedHealthCheck::refresh);
        } catch (RuntimeException e) {
            LOG.warn("refreshing the readiness checks failed: {}", e.toString());
        }
    }
}
