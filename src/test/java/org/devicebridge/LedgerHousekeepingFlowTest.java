package org.devicebridge;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.ServiceStatus;
import org.devicebridge.ledger.LedgerDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ledger's housekeeping routes in the running bridge (routes/engine/ledger-housekeeping.yaml):
 * a request past its retention leaves the ledger once reported and once the events topic has
 * published its events; its result files stay. The H2 file is compacted and synced alongside, and
 * compacted whole when the bridge stops.
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
