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
 * starts), so that readiness probes are answered from memory; after each round, and once the
 * context has fully started, it makes the kept readiness answer again ({@link ProbeAnswers}).
 */
public class HealthRefresher extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HealthRefresher.class);

    private static final Duration NOT_READY_RETRY = Duration.ofSeconds(1);

    private final CamelContext context;
    private final Duration interval;
    private final ProbeAnswers readiness;
    private volatile ScheduledExecutorService timer;

    public HealthRefresher(CamelContext context, Duration interval) {
        this.context = context;
        this.interval = interval;
        this.readiness = new ProbeAnswers(context);
    }

    @Override
    protected void doInit() throws Exception {
        context.addStartupListener(new org.apache.camel.StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the management server may not be serving yet: see onCamelContextFullyStarted
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                readiness.install();
                ScheduledExecutorService t = timer;
                if (t != null) {
                    t.execute(HealthRefresher.this::updateReadinessOnceStarted);
                }
            }
        });
    }

    @Override
    protected void doStart() {
        timer = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "health-refresh");
        timer.scheduleWithFixedDelay(this::refreshAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        // while no answer is kept (starting, or not ready), the checks are run again every second: consumers that
        // start after the context, and a route back up, show without waiting a whole interval
        timer.scheduleWithFixedDelay(() -> {
            if (readiness.body() == null && context.getStatus().isStarted()) {
                updateReadiness();
            }
        }, NOT_READY_RETRY.toMillis(), NOT_READY_RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            context.getExecutorServiceManager().shutdownNow(timer);
            timer = null;
        }
        readiness.forget();
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
        updateReadiness();
    }

    /** The context tells its listeners it has fully started just before its status says so. */
    private void updateReadinessOnceStarted() {
        ScheduledExecutorService t = timer;
        if (context.getStatus().isStarting() && t != null) {
            t.schedule(this::updateReadinessOnceStarted, 100, TimeUnit.MILLISECONDS);
            return;
        }
        updateReadiness();
    }

    private void updateReadiness() {
        try {
            readiness.update();
        } catch (RuntimeException e) {
            readiness.forget();
            LOG.warn("making the readiness answer failed: {}", e.toString());
        }
    }
}
