package org.devicebridge;

import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The clustered JDBC job store on the local PostgreSQL, each test in a schema of its own: bridge
 * instances on one database share their schedules, and each firing runs on exactly one of them.
 * Skipped when PostgreSQL is not reachable, unless {@code CI=true}.
 */
class ScheduleClusterTest {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleClusterTest.class);
    private static final String PING = "{\"actions\":[{\"kind\":\"command\",\"id\":\"ping\",\"device\":\"lamp-1\",\"command\":\"ping\"}]}";

    @TempDir
    Path dir;

    private String schema;
    private final List<TestBridge> bridges = new ArrayList<>();

    @BeforeEach
    void freshSchema() {
        PostgresAvailability.assumeAvailable();
        schema = PostgresAvailability.freshSchema();
    }

    @AfterEach
    void dropSchema() {
        bridges.forEach(TestBridge::close);
        if (schema != null) {
            PostgresAvailability.dropSchema(schema);
        }
    }

    /** A bridge on the shared schema with the JDBC job store and the given schedules. */
    private TestBridge start(String name, Map<String, String> schedules) {
        Map<String, String> p = new HashMap<>();
        p.put("bridge.simulator.enabled", "true");
        p.putAll(PostgresAvailability.ledgerIn(schema));
        p.put("bridge.quartz.store", "jdbc");
        p.put("bridge.quartz.checkin-interval", "1s");
        p.putAll(schedules);
        TestBridge bridge = TestBridge.in(dir.resolve(name), "", p).start();
        bridges.add(bridge);
        return bridge;
    }

    @Test
    void twoInstancesOnOneDatabaseFireEachScheduledTimeOnceAndOneTakesOverWhenTheOtherStops() throws Exception {
        Path source = Files.writeString(dir.resolve("ping.json"), PING);
        Map<String, String> tick = Map.of("bridge.schedules", "tick",
                "bridge.schedules.tick.cron", "* * * * * ?",  // every second
                "bridge.schedules.tick.source", source.toString());
        TestBridge a = start("a", tick);
        ScheduleFirings firedByA = ScheduleFirings.watch(a.context());
        TestBridge b = start("b", tick);
        ScheduleFirings firedByB = ScheduleFirings.watch(b.context());
        Instant bothWatched = Instant.now();

        await().atMost(Duration.ofSeconds(30)).until(() -> since(bothWatched, firedByA, firedByB).size() >= 4);
        assertThat(query("SELECT instance_name FROM qrtz_scheduler_state")).hasSize(2);
        // the instance that fired last stops (gracefully; its scheduler row stays until the other declares it dead)
        boolean aFiredLast = last(firedByA).isAfter(last(firedByB));
        TestBridge stopped = aFiredLast ? a : b;
        ScheduleFirings survivor = aFiredLast ? firedByB : firedByA;
        Instant stoppedAt = Instant.now();
        stopped.stop();
        await().atMost(Duration.ofSeconds(40)).until(() -> since(stoppedAt, survivor).size() >= 3);
        (aFiredLast ? b : a).stop();

        List<Instant> byA = since(bothWatched, firedByA);
        List<Instant> byB = since(bothWatched, firedByB);
        List<Instant> both = since(bothWatched, firedByA, firedByB);
        LOG.info("scheduled times {} .. {}: {} fired by a, {} by b; {} stopped at {}", both.get(0), both.get(both.size() - 1),
                byA.size(), byB.size(), aFiredLast ? "a" : "b", stoppedAt);
        // each scheduled time was fired by one instance, once: not twice and then deduplicated by its request id
        assertThat(both).doesNotHaveDuplicates();
        // and none was left out, also across the take-over
        Instant first = both.get(0);
        Instant last = both.get(both.size() - 1);
        assertThat(both).containsExactlyElementsOf(Stream.iterate(first, t -> !t.isAfter(last), t -> t.plusSeconds(1)).toList());
        // the ledger has one request per firing, and no other
        List<String> requests = query("SELECT id FROM bridge_request WHERE id LIKE 'schedule:tick:%'").stream()
                .filter(id -> !Instant.parse(id.substring("schedule:tick:".length())).isBefore(bothWatched)).toList();
        assertThat(requests).containsExactlyInAnyOrderElementsOf(both.stream().map(t -> "schedule:tick:" + t).toList());
    }

    @Test
    void aChangedScheduleReplacesItsStoredTriggerAndARemovedOneIsDeleted() throws Exception {
        Path source = Files.writeString(dir.resolve("ping.json"), PING);
        String never = "0 0 0 1 1 ? 2099";  // stored, never fired during the test
        TestBridge first = start("a", Map.of("bridge.schedules", "nightly,weekly",
                "bridge.schedules.nightly.cron", never, "bridge.schedules.nightly.source", source.toString(),
                "bridge.schedules.weekly.cron", never, "bridge.schedules.weekly.source", source.toString()));
        first.stop();

        TestBridge again = start("a", Map.of("bridge.schedules", "nightly",
                "bridge.schedules.nightly.cron", never, "bridge.schedules.nightly.source", source.toString(),
                "bridge.schedules.nightly.timezone", "Asia/Kolkata", "bridge.schedules.nightly.misfire", "skip"));

        Scheduler scheduler = again.context().getComponent("quartz", QuartzComponent.class).getScheduler();
        assertThat(scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals("bridge"))).containsExactly(new TriggerKey("nightly", "bridge"));
        CronTrigger nightly = (CronTrigger) scheduler.getTrigger(new TriggerKey("nightly", "bridge"));
        assertThat(nightly.getTimeZone().getID()).isEqualTo("Asia/Kolkata");
        assertThat(nightly.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);
        assertThat(query("SELECT trigger_name FROM qrtz_triggers")).containsExactly("nightly");
    }

    private static Instant last(ScheduleFirings instance) {
        return instance.of("schedule-tick").stream().max(Instant::compareTo).orElse(Instant.EPOCH);
    }

    /** The scheduled times at or after {@code from}, fired by any of the instances. */
    private static List<Instant> since(Instant from, ScheduleFirings... instances) {
        return Stream.of(instances).flatMap(i -> i.of("schedule-tick").stream()).filter(t -> !t.isBefore(from)).sorted().toList();
    }

    /** The first column of a query on the test's schema. */
    private List<String> query(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PostgresAvailability.jdbcUrl(), PostgresAvailability.user(),
                PostgresAvailability.password()); Statement s = c.createStatement()) {
            c.setSchema(schema);
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
