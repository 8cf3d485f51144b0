package org.devicebridge;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The misfire policies on the JDBC job store (the RAM store forgets its triggers on shutdown, so
 * there a firing missed while the bridge was down is simply not made): the bridge is stopped and
 * started again on the same PostgreSQL schema, with a misfire threshold of 1 s, so the firings due
 * while it was away are misfires. Skipped when PostgreSQL is not reachable, unless {@code CI=true}.
 */
class ScheduleMisfireTest {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleMisfireTest.class);
    private static final String PING = "{\"actions\":[{\"kind\":\"command\",\"id\":\"ping\",\"device\":\"lamp-1\",\"command\":\"ping\"}]}";

    @TempDir
    Path dir;

    private String schema;
    private TestBridge bridge;

    @BeforeEach
    void freshSchema() {
        PostgresAvailability.assumeAvailable();
        schema = PostgresAvailability.freshSchema();
    }

    @AfterEach
    void dropSchema() {
        if (bridge != null) {
            bridge.close();
        }
        if (schema != null) {
            PostgresAvailability.dropSchema(schema);
        }
    }

    /** On the cron's grid (0/2 * * * * ?): an even whole second, as Quartz schedules it. */
    private static boolean onGrid(Instant t) {
        return t.getNano() == 0 && t.getEpochSecond() % 2 == 0;
    }

    @Test
    void aMissedFiringRunsOnceWithRunOnceAndNotAtAllWithSkip() throws Exception {
        Path source = Files.writeString(dir.resolve("ping.json"), PING);
        Map<String, String> p = new HashMap<>();
        p.put("bridge.simulator.enabled", "true");
        p.putAll(PostgresAvailability.ledgerIn(schema));
        p.put("bridge.quartz.store", "jdbc");
        p.put("bridge.quartz.checkin-interval", "1s");
        p.put("bridge.quartz.misfire-threshold", "1s");
        p.put("bridge.schedules", "catchup,skipped");
        for (String name : List.of("catchup", "skipped")) {
            p.put("bridge.schedules." + name + ".cron", "0/2 * * * * ?");
            p.put("bridge.schedules." + name + ".source", source.toString());
        }
        p.put("bridge.schedules.catchup.misfire", "run-once");
        p.put("bridge.schedules.skipped.misfire", "skip");
        bridge = TestBridge.in(dir.resolve("bridge"), "", p).start();
        ScheduleFirings before = ScheduleFirings.watch(bridge.context());
        await().atMost(Duration.ofSeconds(20)).until(() -> !before.of("schedule-catchup").isEmpty()
                && !before.of("schedule-skipped").isEmpty());
        bridge.stop();
        Instant catchupBefore = before.of("schedule-catchup").stream().max(Instant::compareTo).orElseThrow();
        Instant skippedBefore = before.of("schedule-skipped").stream().max(Instant::compareTo).orElseThrow();

        // down until the next firing of each (2 s after its last) is more than the threshold (1 s) overdue;
        // the trigger the stopped instance had taken stays taken until its check-ins are overdue
        // (1 s + 7.5 s), so the firings of that one are missed for longer still
        Instant overdue = (catchupBefore.isAfter(skippedBefore) ? catchupBefore : skippedBefore).plusSeconds(2 + 1 + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(overdue));
        bridge.start();
        ScheduleFirings after = ScheduleFirings.watch(bridge.context());
        await().atMost(Duration.ofSeconds(40)).until(() -> after.of("schedule-catchup").stream().filter(ScheduleMisfireTest::onGrid)
                .count() >= 1 && after.of("schedule-skipped").size() >= 2);
        List<Instant> catchup = after.of("schedule-catchup").stream().sorted().toList();
        List<Instant> skipped = after.of("schedule-skipped").stream().sorted().toList();
        LOG.info("run-once: last before the stop {}, after the start {}; skip: last before {}, after {}", catchupBefore, catchup,
                skippedBefore, skipped);

        // run-once: the missed firings are made up by one firing, at the time it ran (off the cron's grid) ...
        Instant firstGrid = catchup.stream().filter(ScheduleMisfireTest::onGrid).findFirst().orElseThrow();
        assertThat(catchup.stream().filter(t -> t.isBefore(firstGrid))).hasSize(1).noneMatch(ScheduleMisfireTest::onGrid)
                .allMatch(t -> t.isAfter(catchupBefore.plusSeconds(2)));
        // ... under its own request id
        assertThat(bridge.commandStore().request("schedule:catchup:" + catchup.get(0))).isPresent();
        // skip: nothing is made up; the next firing is the next one on the grid, well after the last before the stop
        assertThat(skipped).allMatch(ScheduleMisfireTest::onGrid);
        assertThat(skipped.get(0)).isAfter(skippedBefore.plusSeconds(2));
    }
}
