package org.devicebridge;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.WorkQueue;
import org.devicebridge.network.NetworkCloudAdapter;
import org.devicebridge.observe.BridgeMetrics;
import org.devicebridge.observe.CloudHealthCheck;
import org.devicebridge.observe.HealthRefresher;
import org.devicebridge.observe.LedgerHealthCheck;
import org.devicebridge.observe.StepLogContext;

import java.util.Map;

/**
 * Wires what shows how the bridge is doing: the {@code stepLogContext} (an engine step's log lines
 * name its request, command and device), and, once Camel Main has made its metrics and health-check
 * registries, the bridge's own metrics ({@code /observe/metrics}) and readiness checks (the ledger,
 * and each configured cloud's last call), refreshed every {@code bridge.health.refresh-interval}.
 */
final class ObservabilityConfiguration extends ConcernConfiguration {

    @BeanInject("workQueue")
    WorkQueue workQueue;
    @BeanInject("callLog")
    CallLog callLog;
    @BeanInject("ledgerReads")
    LedgerReads reads;
    @BeanInject("transitions")
    LedgerTransitions transitions;
    @BeanInject("networkCloud")
    NetworkCloudAdapter network;
    @BeanInject("cloudEndpoints")
    CloudEndpoints clouds;

    @BindToRegistry("stepLogContext")
    public StepLogContext stepLogContext() {
        return new StepLogContext();
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        BridgeMetrics metrics = new BridgeMetrics(workQueue, callLog, reads, transitions, network);
        context.addStartupListener((ctx, alreadyStarted) -> {
            MeterRegistry meters = ctx.getRegistry().findSingleByType(MeterRegistry.class);
            if (meters != null) {
                metrics.bindTo(meters);
            }
            HealthCheckRegistry health = HealthCheckRegistry.get(ctx);
            if (health != null) {
                health.register(new LedgerHealthCheck(reads));
                Map.of("access", clouds.access(), "network", clouds.network(), "home", clouds.home()).forEach((name, endpoint) -> {
                    if (endpoint.configured()) {
                        health.register(new CloudHealthCheck(name, callLog));
                    }
                });
            }
        });
        context.addService(new HealthRefresher(context, settings().duration("bridge.health.refresh-interval")));
    }
}
