package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.ActionPlanner;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.intake.BatchRecord;
import org.devicebridge.intake.BatchSource;
import org.devicebridge.intake.InvalidActionException;
import org.devicebridge.network.RateLimitEta;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code --dry-run}: reads batches, validates every action exactly as intake would, and prints
 * the plan: cloud calls and devices per cloud, how long the rate limits make it take, a warning per
 * batch whose bulk calls would outlast its actions' deadline, and every invalid record with its
 * reason. It touches no device and writes nothing to the ledger.
 */
final class DryRun {

    private final List<ActionPlanner> planners;
    private final BatchReader reader;
    private final int networkChunk;
    private final int networkLimit;
    private final Duration networkWindow;
    private final RateLimitEta eta;
    private final int homeBatch;
    private final Duration defaultDeadline;

    /** @param limits the same limits the running bridge plans its calls by */
    DryRun(List<ActionPlanner> planners, BatchReader reader, CallLimits limits) {
        this.planners = planners;
        this.reader = reader;
        this.networkChunk = limits.networkChunk();
        this.networkLimit = limits.networkRateLimit();
        this.networkWindow = limits.networkWindow();
        this.eta = new RateLimitEta(networkLimit, networkWindow);
        this.homeBatch = limits.homeBatch();
        this.defaultDeadline = limits.actionDeadline();
    }

    /** The plan of the batches, as if they were taken in now. */
    Plan plan(List<Path> files) throws IOException {
        Map<String, ActionPlanner> byKind = planners.stream().collect(Collectors.toMap(ActionPlanner::kind, Function.identity()));
        Plan plan = new Plan();
        Instant now = Instant.now();
        List<BulkBatch> bulkBatches = new ArrayList<>();
        for (Path file : files) {
            Map<String, Integer> bulkGroups = new LinkedHashMap<>(); // devices per (action type) group: one chunk series each
            Instant bulkDeadline = null; // the earliest deadline of the batch's bulk actions
            boolean ownDeadline = false;
            try (BatchSource source = reader.open(file)) {
                while (source.hasNext()) {
                    BatchRecord r = source.next();
                    String where = file.getFileName() + " " + r.ref();
                    if (!r.readable()) {
                        plan.invalid.add(where + ": " + r.error());
                        continue;
                    }
                    JsonNode kind = r.action().get("kind");
                    ActionPlanner planner = kind == null ? null : byKind.get(kind.asText());
                    if (planner == null) {
                        plan.invalid.add(where + ": kind: " + (kind == null ? "missing" : "unknown or not configured '" + kind.asText() + "'"));
                        continue;
                    }
                    try {
                        Instant deadline = ActionIntake.deadline(r.action(), now, defaultDeadline);
                        List<ActionPlanner.PlannedCommand> commands = planner.plan(r.action());
                        plan.devices.merge(planner.kind(), commands.size(), Integer::sum);
                        if ("bulk".equals(planner.kind()) && !commands.isEmpty()) {
                            bulkGroups.merge(commands.get(0).payload(), commands.size(), Integer::sum);
                            if (bulkDeadline == null || deadline.isBefore(bulkDeadline)) {
                                bulkDeadline = deadline;
                                ownDeadline = r.action().hasNonNull("deadline");
                            }
                        }
                    } catch (InvalidActionException e) {
                        plan.invalid.add(where + ": " + e.getMessage());
                    }
                }
            }
            int calls = bulkGroups.values().stream().mapToInt(n -> RateLimitEta.calls(n, networkChunk)).sum();
            plan.networkCalls += calls;
            if (calls > 0) {
                bulkBatches.add(new BulkBatch(file.getFileName().toString(), calls, bulkDeadline, ownDeadline));
            }
        }
        for (BulkBatch batch : bulkBatches) {
            warnIfDeadlineComesFirst(plan, batch, bulkBatches, now);
        }
        plan.homeCalls = (plan.devices.getOrDefault("capability", 0) + homeBatch - 1) / homeBatch;
        plan.accessCalls = 2 * plan.devices.getOrDefault("credentials", 0);
        return plan;
    }

    /**
     * A warning when the batch's last bulk call would go after the earliest deadline of its bulk
     * actions, its calls taking turns with those of the other batches of this dry run (the bridge's
     * own queue is not known here).
     */
    private void warnIfDeadlineComesFirst(Plan plan, BulkBatch batch, List<BulkBatch> all, Instant now) {
        List<Integer> others = all.stream().filter(b -> b != batch).map(BulkBatch::calls).toList();
        Duration lastCall = eta.lastCallAfter(batch.calls(), others);
        Duration deadline = Duration.between(now, batch.deadline());
        if (lastCall.compareTo(deadline) > 0) {
            plan.warnings.add(batch.name() + ": its last bulk call would go after " + RateLimitEta.describe(lastCall)
                    + (others.isEmpty() ? "" : " (taking turns with the other batches)") + ", past its bulk actions' deadline ("
                    + (deadline.isNegative() ? "passed" : RateLimitEta.describe(deadline)) + ", "
                    + (batch.ownDeadline() ? "their own \"deadline\"" : "bridge.action.deadline = " + defaultDeadline) + "): "
                    + "devices not sent by then would end Command TimeOut unsent; give the actions a later \"deadline\" "
                    + "or raise bridge.action.deadline");
        }
    }

    /** A batch's bulk calls and the earliest deadline of its bulk actions ({@code own}: an action's own, not the default). */
    private record BulkBatch(String name, int calls, Instant deadline, boolean ownDeadline) {
    }

    /** Prints the plan for people. */
    void print(Plan plan, PrintStream out) {
        out.println("dry run: nothing is sent, nothing is written to the ledger");
        out.printf("  access cloud  (credentials): %6d devices, %6d calls (create + upload) plus status polls; no rate limit%n",
                plan.devices.getOrDefault("credentials", 0), plan.accessCalls);
        Duration last = eta.lastCallAfter(plan.networkCalls);
        int bulkDevices = plan.devices.getOrDefault("bulk", 0);
        out.printf("  network cloud (bulk):        %6d devices, %6d calls of <= %d devices; at %d calls per %ss: ETA %s (%s devices/min)%n",
                bulkDevices, plan.networkCalls, networkChunk, networkLimit, RateLimitEta.seconds(networkWindow), human(last),
                last.isZero() ? "-" : String.valueOf(Math.round(bulkDevices * 60_000.0 / last.toMillis())));
        plan.warnings.forEach(line -> out.println("    WARNING " + line));
        out.printf("  home cloud    (capability):  %6d devices, %6d calls of <= %d devices; no rate limit%n",
                plan.devices.getOrDefault("capability", 0), plan.homeCalls, homeBatch);
        out.printf("  invalid records: %d%n", plan.invalid.size());
        plan.invalid.forEach(line -> out.println("    " + line));
    }

    private static String human(Duration d) {
        return d.isZero() ? "immediate" : d.toMinutesPart() + d.toHours() * 60 + " min " + d.toSecondsPart() + " s";
    }

    /** Devices per kind, calls per cloud, invalid records. */
    static final class Plan {
        final Map<String, Integer> devices = new HashMap<>();
        final List<String> invalid = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        int accessCalls;
        int networkCalls;
        int homeCalls;

        int devices(String kind) {
            return devices.getOrDefault(kind, 0);
        }

        int networkCalls() {
            return networkCalls;
        }

        int homeCalls() {
            return homeCalls;
        }

        List<String> invalid() {
            return invalid;
        }

        List<String> warnings() {
            return warnings;
        }
    }
}
