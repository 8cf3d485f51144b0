package org.devicebridge;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.ServiceStatus;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ledger's housekeeping routes in the running bridge (routes/engine/ledger-housekeeping.yaml):
 * a request past its retention leaves the ledger once reported and once the events topic has
 * published its events; its result files stay. The H2 file is compacted and synced alongside, copied
 * whole once quiet when it is mostly dead space, and compacted whole when the bridge stops.
 */
class LedgerHousekeepingFlowTest extends AccessFlowTestSupport {

    @Test
    void aReportedRequestPastItsRetentionLeavesTheLedgerAndItsResultFilesStay() {
        startBridge(s -> s, Map.of("bridge.ledger.retention", "1s", "bridge.ledger.retention-check-interval", "200ms",
                "bridge.db.compact-interval", "300ms"));
        bridge.drop("short-lived.json", Batches.document("short-lived-1",
                Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2")));
        awaitFinal("short-lived-1", 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(bridge.outbox().resolve("short-lived.summary.json")));

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> bridge.commandStore().request("short-lived-1").isEmpty());

        assertThat(bridge.commands("short-lived-1")).isEmpty();
        assertThat(bridge.outbox().resolve("short-lived.results.jsonl")).exists();
        assertThat(bridge.outbox().resolve("short-lived.summary.json")).exists();
        for (String route : new String[] {"ledger-retention", "ledger-compaction", "ledger-sync"}) {
            assertThat(bridge.context().getRouteController().getRouteStatus(route)).as(route).isEqualTo(ServiceStatus.Started);
        }
    }

    @Test
    void aGracefulStopLeavesTheH2FileCompactedWithEveryRowInIt() throws Exception {
        startBridge(s -> s, TestBridge.ledgerFile(dir)); // bridge.db.compact-on-stop is true by default
        String[] actions = new String[20];
        for (int i = 0; i < actions.length; i++) {
            actions[i] = Batches.credentials("a" + i, "compact-door-" + i);
        }
        bridge.drop("compact.json", Batches.document("compact-1", actions));
        awaitFinal("compact-1", actions.length);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(bridge.outbox().resolve("compact.summary.json")));
        Map<String, Long> rows = rows(bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", DataSource.class));
        Path file = dir.resolve("ledger.mv.db");
        long running = Files.size(file);

        bridge.stop();

        long stopped = Files.size(file);
        assertThat(stopped).as("file after the stop, %,d bytes while running", running).isLessThan(running / 2);
        try (HikariDataSource reopened = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger"), "sa", "", null, 2)) {
            assertThat(rows(reopened)).isEqualTo(rows);
        }
    }

    @Test
    void aRunningBridgeCopiesAnH2FileOfMostlyDeadSpaceOnceQuietAndGoesOnWithTheNewFile() {
        Path ledger = dir.resolve("copied").resolve("ledger");
        Path file = dir.resolve("copied").resolve("ledger.mv.db");
        // a file with 32 MB of dead space before a live row: nothing but a copy (or moving chunks) gives it back
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + ledger, "sa", "", null, 2)) {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            jdbc.execute("CREATE TABLE scratch (b VARBINARY)");
            byte[] megabyte = new byte[1 << 20];
            new Random(1).nextBytes(megabyte);
            for (int i = 0; i < 32; i++) {
                jdbc.update("INSERT INTO scratch VALUES (?)", (Object) megabyte);
            }
            new CommandStore(new Ledger(ds, Clock.systemUTC())).openRequest("before-copy", "api", null);
            jdbc.execute("DROP TABLE scratch");
        }
        long before = fileSize(file);
        assertThat(before).isGreaterThan(32L << 20);
        Object original = fileKey(file);

        startBridge(s -> s, Map.of("bridge.db.url", "jdbc:h2:file:" + ledger, "bridge.db.compact-interval", "300ms"));

        // copied: a new file (H2 renames the copy over the old one), not the old one cut
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> !original.equals(fileKey(file)) && fileSize(file) < before / 8);
        bridge.drop("after-copy.json", Batches.document("after-copy-1",
                Batches.credentials("a1", "copy-door-1"), Batches.credentials("a2", "copy-door-2")));
        awaitFinal("after-copy-1", 2);
        assertThat(bridge.commands("after-copy-1")).extracting(c -> c.state().label()).containsOnly("Command Success");
        assertThat(bridge.commandStore().request("before-copy")).as("the row written before the copy").isPresent();
        assertThat(fileSize(file)).as("the new file, with the actions since").isLessThan(before / 8);
    }

    /** The file's identity on the disk (its inode on Linux); null between H2's rename and the next look. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return Long.MAX_VALUE; // between H2's rename and the next look
        }
    }

    private static Map<String, Long> rows(DataSource dataSource) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        Map<String, Long> rows = new TreeMap<>();
        for (String table : new String[] {"bridge_request", "bridge_command", "bridge_transition", "bridge_call"}) {
            rows.put(table, jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Long.class));
        }
        assertThat(rows.get("bridge_command")).isEqualTo(20);
        return rows;
    }
}
