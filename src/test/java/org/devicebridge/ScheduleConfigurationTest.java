package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.impl.DefaultCamelContext;
import org.devicebridge.schedule.Schedule;
import org.devicebridge.schedule.ScheduledBatchRoutes;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The schedules' configuration: defaults, and every bad value refused with a message naming its
 * key (exit code 2 on the command line).
 */
class ScheduleConfigurationTest {

    @TempDir
    static Path dir;

    private final DefaultCamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private Settings settings(Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        context.getPropertiesComponent().setLocation("file:config/application.properties");   // the defaults, as the bridge has them
        context.getPropertiesComponent().setOverrideProperties(p);
        return new Settings(context);
    }

    /** A valid schedule {@code a} on a batch document, with {@code changes} applied (a blank value removes the key). */
    private static Map<String, String> scheduleA(Map<String, String> changes) throws Exception {
        Path doc = dir.resolve("a.json");
        if (!Files.exists(doc)) {
            Files.writeString(doc, Batches.document("a", Batches.credentials("a", "door-1")));
        }
        Map<String, String> v = new HashMap<>(Map.of("bridge.schedules", "a",
                "bridge.schedules.a.cron", "0 0 2 * * ?",
                "bridge.schedules.a.source", doc.toString()));
        changes.forEach((key, value) -> {
            if (value.isEmpty()) {
                v.remove(key);
            } else {
                v.put(key, value);
            }
        });
        return v;
    }

    @Test
    void aScheduleNeedsOnlyItsCronAndSourceAndIsReadInUtcAndRunsOnceAfterAMisfire() throws Exception {
        List<Schedule> schedules = ScheduleConfiguration.schedules(settings(scheduleA(Map.of())));

        assertThat(schedules).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("a");
            assertThat(s.cron()).isEqualTo("0 0 2 * * ?");
            assertThat(s.zone()).isEqualTo(ZoneId.of("UTC"));
            assertThat(s.source()).isEqualTo(dir.resolve("a.json").toAbsolutePath());
            assertThat(s.misfire()).isEqualTo(Schedule.Misfire.RUN_ONCE);
        });
    }

    @Test
    void eachScheduleIsARouteFromTheTemplateWithItsParametersInTheFormsQuartzReads() {
        ScheduledBatchRoutes routes = new ScheduledBatchRoutes(List.of(
                new Schedule("lab", "0 30 6 ? * MON", ZoneId.of("+02:00"), Path.of("/srv/lab"), Schedule.Misfire.SKIP)));

        assertThat(routes.routeIds()).containsExactly("schedule-lab");
        assertThat(routes.parameters("schedule-lab")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "templateId", "scheduled-batch", "name", "lab", "cron", "0 30 6 ? * MON",
                "timezone", "GMT+02:00",   // java.util.TimeZone reads "+02:00" as GMT
                "source", Path.of("/srv/lab").toString(),
                "misfire", "2"));          // CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING
    }

    @Test
    void noSchedulesByDefault() {
        assertThat(ScheduleConfiguration.schedules(settings(Map.of()))).isEmpty();
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Map.of("bridge.schedules", "a,nightly sync"), "bridge.schedules must be distinct names"),
                Arguments.of(Map.of("bridge.schedules", "a,a"), "bridge.schedules must be distinct names"),
                Arguments.of(Map.of("bridge.schedules.a.cron", ""), "bridge.schedules.a.cron is required"),
                Arguments.of(Map.of("bridge.schedules.a.cron", "0 0 2 * *"), "bridge.schedules.a.cron must be a Quartz cron expression"),
                Arguments.of(Map.of("bridge.schedules.a.cron", "every night"), "bridge.schedules.a.cron must be a Quartz cron expression"),
                Arguments.of(Map.of("bridge.schedules.a.cron", "0 0 2 1 1 ? 2020"), "bridge.schedules.a.cron never fires again"),
                Arguments.of(Map.of("bridge.schedules.a.timezone", "Mars/Olympus_Mons"), "bridge.schedules.a.timezone must be a time-zone id"),
                Arguments.of(Map.of("bridge.schedules.a.source", ""), "bridge.schedules.a.source is required"),
                Arguments.of(Map.of("bridge.schedules.a.source", "/no/such/batch.json"), "bridge.schedules.a.source must name a batch"),
                Arguments.of(Map.of("bridge.schedules.a.misfire", "twice"), "bridge.schedules.a.misfire must be run-once or skip"),
                Arguments.of(Map.of("bridge.quartz.store", "disk"), "bridge.quartz.store must be ram or jdbc"),
                Arguments.of(Map.of("bridge.quartz.threads", "0"), "bridge.quartz.threads must be at least 1"),
                Arguments.of(Map.of("bridge.quartz.checkin-interval", "soon"), "bridge.quartz.checkin-interval must be a duration"),
                Arguments.of(Map.of("bridge.quartz.misfire-threshold", "0s"), "bridge.quartz.misfire-threshold must be longer than 0"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void aBadValueIsRefusedNamingItsKey(Map<String, String> change, String message) throws Exception {
        Settings settings = settings(scheduleA(change));

        assertThatThrownBy(() -> ScheduleConfiguration.configure(context, settings, null, h2(), new ObjectMapper()))
                .isInstanceOf(BadConfigurationException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void theJdbcStoreIsRefusedOnAnH2Ledger() throws Exception {
        Settings settings = settings(scheduleA(Map.of("bridge.quartz.store", "jdbc")));

        assertThatThrownBy(() -> ScheduleConfiguration.configure(context, settings, null, h2(), new ObjectMapper()))
                .isInstanceOf(BadConfigurationException.class)
                .hasMessage("bridge.quartz.store jdbc needs the ledger on PostgreSQL (bridge.db.url); the ledger is on H2: use ram");
    }

    @Test
    void theCommandLineExitsTwoOnABadSchedule() {
        String[] args = TestBridge.onceCommandLine(dir.resolve("cli"),
                "-Dbridge.schedules=nightly",
                "-Dbridge.schedules.nightly.cron=0 0 25 * * ?",
                "-Dbridge.schedules.nightly.source=" + dir);

        assertThat(BridgeMain.run(args)).isEqualTo(OnceMode.BAD_CONFIGURATION);
    }

    private static JdbcDataSource h2() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:schedule-configuration");
        return h2;
    }
}
