package org.devicebridge.observe;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.WorkQueue;
import org.devicebridge.network.NetworkCloudAdapter;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bridge's own Prometheus metrics, beside Camel's: actions by kind and state, cloud call
 * latencies by cloud, operation and status, status polls per finished action, rate-limit waits
 * and the work waiting for a rate-limit slot.
 */
public class BridgeMetrics {

    /** Which cloud each operation of the call log calls (the console and the health checks group calls by it). */
    public static final Map<String, String> CLOUD_OF_OPERATION = Map.of(
            "create-action", "access", "upload-payload", "access", "poll-action", "access", "find-lost-action", "access",
            "bulk-action", "network", "capability-action", "home");
    private static final List<String> KINDS = List.of("credentials", "bulk", "capability", "command");
    private static final Duration COUNTS_MAX_AGE = Duration.ofSeconds(2);

    private final WorkQueue workQueue;
    private final CallLog callLog;
    private final LedgerReads reads;
    private final LedgerTransitions transitions;
    private final NetworkCloudAdapter network;
    private Map<String, Long> counts = Map.of();
    private Instant countsAt = Instant.EPOCH;

    public BridgeMetrics(WorkQueue workQueue, CallLog callLog, LedgerReads reads, LedgerTransitions transitions, NetworkCloudAdapter network) {
        this.workQueue = workQueue;
        this.callLog = callLog;
        this.reads = reads;
        this.transitions = transitions;
        this.network = network;
    }

    /** Registers every meter with the registry Camel Main made for {@code /observe/metrics}. */
    public void bindTo(MeterRegistry registry) {
        for (String kind : KINDS) {
            for (CommandState state : CommandState.values()) {
                Gauge.builder("bridge.commands", () -> count(kind, state)).description("Device actions by kind and state")
                        .tag("kind", kind).tag("state", state.label()).register(registry);
            }
        }
        callLog.onCall((operation, status, durationMs) -> Timer.builder("bridge.cloud.calls")
                .description("Calls to the device clouds, by cloud, operation and HTTP status (none: no answer)")
                .tag("cloud", CLOUD_OF_OPERATION.getOrDefault(operation, "other")).tag("operation", operation)
                .tag("status", status == null ? "none" : String.valueOf(status)).register(registry)
                .record(durationMs, TimeUnit.MILLISECONDS));
        DistributionSummary polls = DistributionSummary.builder("bridge.polls.per.action")
                .description("Status polls an asynchronous action needed before it was final").register(registry);
        transitions.onStateChanged(e -> {
            if (e.change().to().isFinal() && "credentials".equals(e.command().kind())) {
                polls.record(e.command().polls());
            }
        });
        FunctionCounter.builder("bridge.rate.limit.waits", network, NetworkCloudAdapter::rateLimitWaits)
                .description("Times due bulk work found no free rate-limit slot").tag("cloud", "network").register(registry);
        Gauge.builder("bridge.rate.limit.queue", () -> workQueue.dueCount(NetworkCloudAdapter.KIND))
                .description("Bulk device commands due and waiting for a rate-limit slot").tag("cloud", "network").register(registry);
    }

    /** One query per scrape at most every two seconds, whatever the number of gauges. */
    private synchronized double count(String kind, CommandState state) {
        if (Instant.now().isAfter(countsAt.plus(COUNTS_MAX_AGE))) {
            Map<String, Long> fresh = new HashMap<>();
            for (Object[] row : reads.countsByKindAndState()) {
                fresh.put(row[0] + "/" + row[1], (Long) row[2]);
            }
            counts = fresh;
            countsAt = Instant.now();
        }
        return counts.getOrDefault(kind + "/" + state.label(), 0L);
    }
}
