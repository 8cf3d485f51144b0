package org.devicebridge;

import org.apache.camel.component.quartz.QuartzComponent;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.schedule.ScheduledBatches;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.devicebridge.ledger.CommandState.SUCCESS;

/**
 * Schedules on the RAM job store: the real bridge with its built-in simulator, real Quartz
 * firings, each taking in a batch document or a directory of them.
 */
class ScheduledBatchFlowTest {

    @TempDir
    Path dir;

    private TestBridge bridge;

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private TestBridge start(Map<String, String> schedules) {
        Map<String, String> p = new HashMap<>();
        p.put("bridge.simulator.enabled", "true");  // the built-in simulator, on the test's API key
        p.put("bridge.simulator.access.processing-delay", "200ms");
        // a firing every 2 s for the same doors: each firing's document runs to its end (the default would let a newer
        // firing supersede an older one not yet sent, which is what a real hourly sync wants, not what these tests count)
        p.put("bridge.access.per-device", "in-order");
        p.putAll(schedules);
        bridge = TestBridge.in(dir.resolve("bridge"), "", p).start();
        return bridge;
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private List<String> requestIds(String prefix) {
        DataSource ledger = bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", DataSource.class);
        return new JdbcTemplate(ledger).queryForList("SELECT id FROM bridge_request WHERE id LIKE ? ORDER BY id", String.class,
                prefix + "%");
    }

    private List<CommandRecord> awaitSucceeded(String requestId, int expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<CommandRecord> cs = bridge.commands(requestId);
            return cs.size() == expected && cs.stream().allMatch(c -> c.state().isFinal());
        });
        List<CommandRecord> done = bridge.commands(requestId);
        assertThat(done).extracting(CommandRecord::state).containsOnly(SUCCESS);
        return done;
    }

    @Test
    void eachFiringTakesInTheFileAndEachDocumentOfTheDirectoryUnderIdsFromTheScheduledTime() throws Exception {
        Path doors = write("templates/doors.json", Batches.document("its-own-id-is-not-used",
                Batches.credentials("front", "door-1"), Batches.credentials("back", "door-2")));
        write("lab/a.json", Batches.document("a", Batches.credentials("lab-a", "door-3")));
        write("lab/b.json", Batches.document("b", Batches.credentials("lab-b", "door-4"), Batches.credentials("lab-c", "door-5")));
        write("lab/notes.txt", "not a batch");
        start(Map.of("bridge.schedules", "doors, lab",
                "bridge.schedules.doors.cron", "0/2 * * * * ?",
                "bridge.schedules.doors.source", doors.toString(),
                "bridge.schedules.lab.cron", "1/2 * * * * ?",
                "bridge.schedules.lab.timezone", "Europe/Berlin",
                "bridge.schedules.lab.source", dir.resolve("lab").toString()));
        ScheduleFirings firings = ScheduleFirings.watch(bridge.context());

        await().atMost(Duration.ofSeconds(15)).until(() -> !firings.of("schedule-doors").isEmpty()
                && !firings.of("schedule-lab").isEmpty());
        Instant doorsAt = firings.of("schedule-doors").get(0);
        Instant labAt = firings.of("schedule-lab").get(0);

        // the times are Quartz's scheduled ones (whole seconds on the cron), not the clock's
        assertThat(doorsAt.getNano()).isZero();
        assertThat(doorsAt.getEpochSecond() % 2).isZero();
        assertThat(labAt.getNano()).isZero();
        assertThat(labAt.getEpochSecond() % 2).isOne();
        String doorsRequest = "schedule:doors:" + doorsAt;
        assertThat(requestIds("schedule:doors:")).contains(doorsRequest).doesNotContain("its-own-id-is-not-used");
        assertThat(requestIds("schedule:lab:" + labAt)).containsExactly(
                "schedule:lab:" + labAt + ":a.json", "schedule:lab:" + labAt + ":b.json");
        assertThat(awaitSucceeded(doorsRequest, 2)).extracting(CommandRecord::device).containsExactly("door-1", "door-2");
        awaitSucceeded("schedule:lab:" + labAt + ":a.json", 1);
        awaitSucceeded("schedule:lab:" + labAt + ":b.json", 2);
        assertThat(bridge.commandStore().request(doorsRequest)).hasValueSatisfying(r -> assertThat(r.source()).isEqualTo("schedule"));
    }

    @Test
    void theSameFiringRunAgainCreatesNoSecondRequestOrCommand() throws Exception {
        Path doors = write("templates/doors.json", Batches.document("x", Batches.credentials("front", "door-1")));
        write("lab/a.json", Batches.document("a", Batches.credentials("lab-a", "door-3")));
        ScheduledBatches batches = startWithAScheduleThatDoesNotFire(doors);
        Instant firing = Instant.parse("2026-03-01T02:00:00Z");

        List<String> first = batches.run("doors", doors, firing);
        List<String> firstDir = batches.run("lab", dir.resolve("lab"), firing);
        List<String> commands = bridge.commands(first.get(0)).stream().map(CommandRecord::id).toList();
        List<String> again = batches.run("doors", doors, firing);
        List<String> againDir = batches.run("lab", dir.resolve("lab"), firing);

        assertThat(first).containsExactly("schedule:doors:2026-03-01T02:00:00Z");
        assertThat(firstDir).containsExactly("schedule:lab:2026-03-01T02:00:00Z:a.json");
        assertThat(again).isEqualTo(first);
        assertThat(againDir).isEqualTo(firstDir);
        assertThat(requestIds("schedule:")).containsExactly("schedule:doors:2026-03-01T02:00:00Z",
                "schedule:lab:2026-03-01T02:00:00Z:a.json");
        assertThat(bridge.commands(first.get(0))).extracting(CommandRecord::id).isEqualTo(commands);
        awaitSucceeded(first.get(0), 1);
        awaitSucceeded(firstDir.get(0), 1);
    }

    @Test
    void theSameFiringRunAgainAfterItsSourceWasEditedTakesNothingOfTheEditAndGoesOnWithTheRest() throws Exception {
        Path doors = write("templates/doors.json", Batches.document("x", Batches.credentials("front", "door-1")));
        write("lab/a.json", Batches.document("a", Batches.credentials("lab-a", "door-3")));
        ScheduledBatches batches = startWithAScheduleThatDoesNotFire(doors);
        Instant firing = Instant.parse("2026-03-01T02:00:00Z");
        List<String> first = batches.run("doors", doors, firing);
        batches.run("lab", dir.resolve("lab"), firing);

        write("templates/doors.json", Batches.document("x", Batches.credentials("front", "door-1"), Batches.credentials("side", "door-9")));
        write("lab/a.json", Batches.document("a", Batches.credentials("lab-a", "door-3"), Batches.credentials("lab-z", "door-99")));
        write("lab/b.json", Batches.document("b", Batches.credentials("lab-b", "door-4")));
        List<String> again = batches.run("doors", doors, firing);
        List<String> againDir = batches.run("lab", dir.resolve("lab"), firing);

        assertThat(again).as("the edited document is not taken in under the same firing's id").isEmpty();
        assertThat(againDir).containsExactly("schedule:lab:2026-03-01T02:00:00Z:b.json");
        assertThat(awaitSucceeded(first.get(0), 1)).extracting(CommandRecord::device).containsExactly("door-1");
        assertThat(awaitSucceeded("schedule:lab:2026-03-01T02:00:00Z:a.json", 1)).extracting(CommandRecord::device)
                .containsExactly("door-3");
        awaitSucceeded("schedule:lab:2026-03-01T02:00:00Z:b.json", 1);
    }

    @Test
    void theTriggerFiresInTheScheduleTimeZoneWithItsMisfirePolicy() throws Exception {
        Path doors = write("templates/doors.json", Batches.document("x", Batches.credentials("front", "door-1")));
        start(Map.of("bridge.schedules", "nightly",
                "bridge.schedules.nightly.cron", "0 0 2 * * ?",
                "bridge.schedules.nightly.timezone", "Asia/Kolkata",
                "bridge.schedules.nightly.misfire", "skip",
                "bridge.schedules.nightly.source", doors.toString()));

        Trigger trigger = bridge.context().getComponent("quartz", QuartzComponent.class).getScheduler()
                .getTrigger(new TriggerKey("nightly", "bridge"));

        ZoneId kolkata = ZoneId.of("Asia/Kolkata");
        ZonedDateTime now = ZonedDateTime.now(kolkata);
        ZonedDateTime next = now.with(LocalTime.of(2, 0));
        if (!next.isAfter(now)) {
            next = next.plusDays(1);
        }
        assertThat(trigger.getNextFireTime().toInstant()).isEqualTo(next.toInstant());  // 20:30 UTC
        assertThat(trigger.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);
        assertThat(bridge.context().getRoute("schedule-nightly")).isNotNull();
    }

    /** The bridge with one schedule on {@code source} that does not fire before the test ends; firings are run by hand. */
    private ScheduledBatches startWithAScheduleThatDoesNotFire(Path source) {
        start(Map.of("bridge.schedules", "doors",
                "bridge.schedules.doors.cron", "0 0 0 1 1 ? 2099",
                "bridge.schedules.doors.source", source.toString()));
        return bridge.context().getRegistry().lookupByNameAndType("scheduledBatches", ScheduledBatches.class);
    }
}
