package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.http.HttpComponent;
import org.devicebridge.access.AccessCloudAdapter;
import org.devicebridge.cloud.BackoffSchedule;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.CommandOutcomes;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.cloud.StepWorkers;
import org.devicebridge.home.HomeCloudAdapter;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.RateLimiter;
import org.devicebridge.ledger.WorkQueue;
import org.devicebridge.network.NetworkCloudAdapter;

import java.time.Duration;

/**
 * Wires the engine's cloud adapters (routes/engine/): {@code accessCloud}, {@code networkCloud},
 * {@code homeCloud}; the workers each cloud's steps run on ({@code accessWorkers},
 * {@code networkWorkers}, {@code homeWorkers}: at most {@code bridge.<cloud>.concurrency} at once);
 * and the HTTP component every cloud call and webhook out goes through ({@value #CLOUD_HTTP},
 * routes/engine/cloud-http.yaml), the bridge's own also inside an application.
 */
final class CloudAdaptersConfiguration extends ConcernConfiguration {

    static final String CLOUD_HTTP = "bridge-http";
    /** Connections kept beside the workers' for webhooks and event streams going out. */
    private static final int WEBHOOK_CONNECTIONS = 20;

    /** What becomes of older documents for a device: supersede or in-order. */
    @PropertyInject("bridge.access.per-device")
    String perDevice;

    @BeanInject("ledger")
    Ledger ledger;
    @BeanInject("workQueue")
    WorkQueue workQueue;
    @BeanInject("commandStore")
    CommandStore commandStore;
    @BeanInject("callLog")
    CallLog callLog;
    @BeanInject("transitions")
    LedgerTransitions transitions;
    @BeanInject("cloudChoice")
    CloudChoice choice;
    @BeanInject("cloudEndpoints")
    CloudEndpoints clouds;
    @BeanInject("cloudCall")
    CloudCall call;
    @BeanInject("backoff")
    BackoffSchedule backoff;
    @BeanInject("redactor")
    Redactor redactor;
    @BeanInject("jsonMapper")
    ObjectMapper mapper;

    @BindToRegistry("accessWorkers")
    public StepWorkers accessWorkers() {
        return once("accessWorkers", () -> new StepWorkers(getCamelContext(), "access-steps",
                settings().integer("bridge.access.concurrency", 1, 1_000)));
    }

    @BindToRegistry("networkWorkers")
    public StepWorkers networkWorkers() {
        return once("networkWorkers", () -> new StepWorkers(getCamelContext(), "network-calls",
                settings().integer("bridge.network.concurrency", 1, 100)));
    }

    @BindToRegistry("homeWorkers")
    public StepWorkers homeWorkers() {
        return once("homeWorkers", () -> new StepWorkers(getCamelContext(), "home-calls",
                settings().integer("bridge.home.concurrency", 1, 100)));
    }

    /**
     * The client of every cloud call and webhook out: one connection per worker (the component's
     * default of 20 per host would cap the concurrency unseen), bounded waits, no cookies shared
     * between calls, and no silent re-execution of a call (of a 429 / 503, or of a POST that creates
     * an action): retries belong to the ledger (backoff, {@code Retry-After}, one {@code bridge_call} row per call).
     */
    @BindToRegistry(CLOUD_HTTP)
    public HttpComponent cloudHttp() {
        Settings settings = settings();
        int connections = accessWorkers().size() + networkWorkers().size() + homeWorkers().size() + WEBHOOK_CONNECTIONS;
        HttpComponent http = new HttpComponent();
        http.setMaxTotalConnections(connections);
        http.setConnectionsPerRoute(connections);
        int connect = (int) settings.duration("bridge.cloud.connect-timeout").toMillis();
        int response = (int) settings.duration("bridge.cloud.response-timeout").toMillis();
        http.setConnectTimeout(connect);
        http.setConnectionRequestTimeout(connect);
        http.setSoTimeout(response);
        http.setResponseTimeout(response);
        http.setCookieManagementDisabled(true);
        http.setAutomaticRetriesDisabled(true);
        return http;
    }

    @BindToRegistry("accessCloud")
    public AccessCloudAdapter accessCloud() {
        return once("accessCloud", () -> {
            Settings settings = settings();
            return new AccessCloudAdapter(AccessDialects.dialect(getCamelContext(), settings, clouds, call, redactor, mapper),
                    settings.integer("bridge.access.max-recreates", 0, Integer.MAX_VALUE), settings.integer("bridge.access.batch-size", 1, 10_000),
                    lease(), ledger, workQueue, commandStore, callLog, transitions, call, backoff, outcomes(), redactor, mapper)
                    .olderDocuments(olderDocuments()).readBack(settings.bool("bridge.access.read-back"));
        });
    }

    @BindToRegistry("networkCloud")
    public NetworkCloudAdapter networkCloud() {
        CallLimits limits = CallLimits.of(settings());
        NetworkCloudAdapter network = new NetworkCloudAdapter(clouds.network().baseUrl(), clouds.network().secret(),
                limits.networkChunk(), limits.networkRateLimit(), limits.networkWindow(), lease(), ledger, workQueue, callLog, transitions,
                new RateLimiter(ledger), call, outcomes(), mapper);
        if (choice.simulated().contains("network")) {
            network.markSimulated();
        }
        return network;
    }

    @BindToRegistry("homeCloud")
    public HomeCloudAdapter homeCloud() {
        Settings settings = settings();
        return new HomeCloudAdapter(clouds.home().baseUrl(), clouds.home().secret(), CallLimits.of(settings).homeBatch(),
                settings.duration("bridge.home.gather"), lease(), ledger, workQueue, commandStore, callLog, transitions, call, outcomes(),
                mapper);
    }

    /** A device got free: its next command goes at once. */
    @Override
    public void configure(CamelContext context) {
        transitions.onStateChanged(accessCloud()::onCommandFinal);
    }

    /** How every adapter records an answer (final, retried, polled again). */
    private CommandOutcomes outcomes() {
        return once("outcomes", () -> new CommandOutcomes(ledger, workQueue, transitions, backoff, redactor, mapper));
    }

    private Duration lease() {
        return settings().duration("bridge.access.lease");
    }

    private AccessCloudAdapter.OlderDocuments olderDocuments() {
        try {
            return AccessCloudAdapter.OlderDocuments.of(perDevice.trim());
        } catch (IllegalArgumentException e) {
            throw new BadConfigurationException("bridge.access.per-device", "must be 'supersede' or 'in-order'");
        }
    }
}
