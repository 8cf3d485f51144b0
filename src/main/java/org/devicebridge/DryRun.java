package org.devicebridge;

import org.devicebridge.intake.BatchReader;
import org.devicebridge.intake.BatchRecord;
import org.devicebridge.intake.FileIntake;
import org.devicebridge.intake.IntakePipeline;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.IntakeWriter;
import org.devicebridge.ledger.NewCommand;
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
import java.util.TreeMap;

/**
 * {@code --dry-run}: the batches through the one intake pipeline of the running bridge (the same
 * reading, pre-flight and planning, the same planners for the configured clouds), with nothing
 * written and nothing sent; prints the plan: cloud calls and devices per cloud, how long the rate
 * limits make it take, when the actions held back by {@code not_before} start, a warning per batch
 * whose bulk calls would outlast its actions' deadline, and every invalid record with its reason.
 */
final class DryRun {

    private final IntakePipeline pipeline;
    private final BatchReader reader;
    private final int networkChunk;
    private final int networkLimit;
    private final Duration networkWindow;
    private final RateLimitEta eta;
    private final int homeBatch;
    private final Duration defaultDeadline;

    /** @param pipeline the intake pipeline as the running bridge builds it; @param limits the limits it plans its calls by */
    DryRun(IntakePipeline pipeline, BatchReader reader, CallLimits limits) {
        this.pipeline = pipeline;
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
        Plan plan = new Plan();
        Instant now = Instant.now();
        List<BulkBatch> bulkBatches = new ArrayList<>();
        for (Path file : files) {
            FilePlan filePlan = new FilePlan(file.getFileName().toString(), plan);
            BatchReader.Batch batch = FileIntake.batchOf(file, reader);
            if (batch == null) {
                plan.invalid.add(filePlan.name + ": not a regular file");
                continue;
            }
            pipeline.take(batch, new IntakePipeline.Origin("file", filePlan.name, true), new NothingWritten(now), filePlan);
            int calls = filePlan.bulkGroups.values().stream().mapToInt(n -> RateLimitEta.calls(n, networkChunk)).sum();
            plan.networkCalls += calls;
            if (calls > 0) {
                bulkBatches.add(new BulkBatch(filePlan.name, calls, filePlan.bulkDeadline, filePlan.ownDeadline));
            }
        }
        for (BulkBatch batch : bulkBatches) {
            warnIfDeadlineComesFirst(plan, batch, bulkBatches, now);
        }
        plan.homeCalls = (plan.devices.getOrDefault("capability", 0) + homeBatch - 1) / homeBatch;
        plan.accessCalls = 2 * plan.devices.getOrDefault("credentials", 0);
        plan.now = now;
        return plan;
    }

    /** What one file's records became: devices per kind, bulk devices per chunk series, actions held back. */
    private final class FilePlan implements IntakePipeline.Listener {
        final String name;
        final Plan plan;
        final Map<String, Integer> bulkGroups = new LinkedHashMap<>(); // devices per (payload) group: one chunk series each
        Instant bulkDeadline; // the earliest deadline of the batch's bulk actions
        boolean ownDeadline;

        FilePlan(String name, Plan plan) {
            this.name = name;
            this.plan = plan;
        }

        @Override
        public void planned(BatchRecord record, List<NewCommand> commands) {
            if (commands.isEmpty()) {
                return;
            }
            NewCommand first = commands.get(0);
            plan.devices.merge(first.kind(), commands.size(), Integer::sum);
            if (first.state() == CommandState.SCHEDULED) {
                plan.held.computeIfAbsent(first.nextAttemptAt(), t -> new HashMap<>()).merge(first.kind(), commands.size(), Integer::sum);
            }
            if ("bulk".equals(first.kind())) {
                bulkGroups.merge(first.payload(), commands.size(), Integer::sum);
                if (bulkDeadline == null || first.deadlineAt().isBefore(bulkDeadline)) {
                    bulkDeadline = first.deadlineAt();
                    ownDeadline = record.action().hasNonNull("deadline");
                }
            }
        }

        @Override
        public void rejected(BatchRecord record, String ref, String reason) {
            plan.invalid.add(name + " " + ref + ": " + reason);
        }
    }

    /** The dry run's target: opens every request as new, writes nothing. */
    private record NothingWritten(Instant at) implements IntakePipeline.Target {
        @Override
        public Instant now() {
            return at;
        }

        @Override
        public boolean keeps() {
            return false;
        }

        @Override
        public IntakeWriter.Opening open(String requestId, String source, String sourceName, String digest, String outboxBase,
                                         byte[] keep) {
            return new IntakeWriter.Opening(IntakeWriter.Found.NEW, requestId, 0, outboxBase);
        }

        @Override
        public void write(String requestId, List<NewCommand> commands, List<IntakeWriter.IntakeError> errors, int recordsRead) {
        }

        @Override
        public boolean complete(String requestId) {
            return true;
        }

        @Override
        public boolean refuse(String requestId, String recordRef, String reason, String raw) {
            return true;
        }
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
        if (plan.devices.getOrDefault("command", 0) > 0) {
            out.printf("  command inbox (command):     %6d devices, fetched by the devices themselves%n", plan.devices.get("command"));
        }
        if (!plan.held.isEmpty()) {
            out.printf("  held back by not_before (Command Scheduled until then):%n");
            plan.held.forEach((at, kinds) -> {
                StringBuilder what = new StringBuilder();
                kinds.forEach((kind, n) -> what.append(what.length() == 0 ? "" : ", ").append(n).append(' ').append(kind));
                out.printf("    %s (in %s): %s devices start%n", at, human(Duration.between(plan.now, at)), what);
            });
        }
        out.printf("  invalid records: %d%n", plan.invalid.size());
        plan.invalid.forEach(line -> out.println("    " + line));
    }

    private static String human(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return "immediate";
        }
        return d.toHours() >= 24 ? d.toDays() + " d " + d.toHoursPart() + " h " + d.toMinutesPart() + " min"
                : d.toMinutesPart() + d.toHours() * 60 + " min " + d.toSecondsPart() + " s";
    }

    /** Devices per kind, calls per cloud, actions held back, invalid records. */
    static final class Plan {
        final Map<String, Integer> devices = new HashMap<>();
        final List<String> invalid = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final Map<Instant, Map<String, Integer>> held = new TreeMap<>();
        Instant now;
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
