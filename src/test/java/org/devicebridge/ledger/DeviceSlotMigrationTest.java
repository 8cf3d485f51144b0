package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ledger written before migration {@code V11} kept a slot row for every device ever acted on; the
 * upgrade removes the rows of final (or removed) commands and keeps those of commands not final yet.
 */
class DeviceSlotMigrationTest {

    @Test
    void theUpgradeRemovesTheFreeSlotsAnOlderBridgeKeptAndKeepsTheHeldOnes() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:slots_" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        config.setUsername("sa");
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            LedgerDatabase.migrations(dataSource, null).target("10.3").load().migrate();
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            LedgerRows.request(jdbc, "r1", false);
            LedgerRows.commands(jdbc, "r1", "Command Success", "DONE", "done");
            LedgerRows.commands(jdbc, "r1", "Command Initiated", "POLL", "open");
            jdbc.update("UPDATE bridge_command SET finished_at = CURRENT_TIMESTAMP WHERE id = 'done'");
            for (String[] slot : new String[][] {{"door-done", "done"}, {"door-open", "open"}, {"door-gone", "removed-by-retention"}}) {
                jdbc.update("INSERT INTO bridge_device_slot (kind, device, command_id) VALUES ('credentials', ?, ?)", slot[0], slot[1]);
            }

            LedgerDatabase.migrate(dataSource, null);

            assertThat(jdbc.queryForList("SELECT command_id FROM bridge_device_slot", String.class)).containsExactly("open");
        }
    }
}
