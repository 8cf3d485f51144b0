package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.intake.ActionPlanner;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.intake.BatchRecord;
import org.devicebridge.intake.BatchSource;
import org.devicebridge.intake.InvalidActionException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code --dry-run}: reads batches, validates every action exactly as intake would, and prints
 * the plan: cloud calls and devices per cloud, how long the rate limits make it take, and every
 * invalid record with its reason. It touches no device and writes nothing to the ledger.
 */
final class DryRun {

    private final List<ActionPlanner> planners;
    private final BatchReader reader;
    private final int networkChunk;
    private final int networkLimit;
    private final Duration networkWindow;
    private final int homeBatch;

    DryRun(List<ActionPlanner> planners, BatchReader reader, int networkChunk, int networkLimit, Duration networkWindow,
           int homeBatch) {
        this.planners = planners;
        this.reader = reader;
        this.networkChunk = networkChunk;
        this.networkLimit = networkLimit;
        this.networkWindow = networkWindow;
        this.homeBatch = homeBatch;
    }

    /** The plan of the batches. */
    Plan plan(List<Path> files) throws IOException {
        Map<String, ActionPlanner> byKind = planners.stream().collect(Collectors.toMap(ActionPlanner::kind, Function.identity()));
        Plan plan = new Plan();
        for (Path file : files) {
            Map<String, Integer> bulkGroups = new LinkedHashMap<>(); // devices per (action type) group: one chunk series each
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
                        List<ActionPlanner.PlannedCommand> commands = planner.plan(r.action());
                        plan.devices.merge(planner.kind(), commands.size(), Integer::sum);
                        if ("bulk".equals(planner.kind()) && !commands.isEmpty()) {
                            bulkGroups.merge(commands.get(0).payload(), commands.size(), Integer::sum);
                        }
                    } catch (InvalidActionException e) {
                        plan.invalid.add(where + ": " + e.getMessage());
                    }
                }
            }
            bulkGroups.values().forEach(n -> plan.networkCalls += (n + networkChunk - 1) / networkChunk);
        }
        plan.homeCalls = (plan.devices.getOrDefault("capability", 0) + homeBatch - 1) / homeBatch;
        plan.accessCalls = 2 * plan.devices.getOrDefault("credentials", 0);
        return plan;
    }

    /** Prints the plan for people. */
    void print(Plan plan, PrintStream out) {
        out.println("dry run: nothing is sent, nothing is written to the ledger");
        out.printf("  access cloud  (credentials): %6d devices, %6d calls (create + upload) plus status polls; no rate limit%n",
                plan.devices.getOrDefault("credentials", 0), plan.accessCalls);
        Duration eta = networkEta(plan.networkCalls);
        int bulkDevices = plan.devices.getOrDefault("bulk", 0);
        out.printf("  network cloud (bulk):        %6d devices, %6d calls of <= %d devices; at %d calls per %ss: ETA %s (%s devices/min)%n",
                bulkDevices, plan.networkCalls, networkChunk, networkLimit, networkWindow.toSeconds(), human(eta),
                eta.isZero() ? "-" : String.valueOf(Math.round(bulkDevices * 60_000.0 / eta.toMillis())));
        out.printf("  home cloud    (capability):  %6d devices, %6d calls of <= %d devices; no rate limit%n",
                plan.devices.getOrDefault("capability", 0), plan.homeCalls, homeBatch);
        out.printf("  invalid records: %d%n", plan.invalid.size());
        plan.invalid.forEach(line -> out.println("    " + line));
    }

    /**
     * How long the network calls take under the rate limit: the first {@code limit} go at once,
     * each further {@code limit} one window later; the last call's time is the ETA.
     */
    Duration networkEta(int calls) {
        if (calls <= networkLimit) {
            return Duration.ZERO;
        }
        return networkWindow.multipliedBy((calls - 1) / networkLimit);
    }

    private static String human(Duration d) {
        return d.isZero() ? "immediate" : d.toMinutesPart() + d.toHours() * 60 + " min " + d.toSecondsPart() + " s";
    }

    /** Devices per kind, calls per cloud, invalid records. */
    static final class Plan {
        final Map<String, Integer> devices = new HashMap<>();
        final List<String> invalid = new ArrayList<>();
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
    }
}
