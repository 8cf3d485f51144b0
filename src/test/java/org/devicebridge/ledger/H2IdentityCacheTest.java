package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On an H2 file ledger the ids the steps take most often (a transition's, a call's, a command's number)
 * come from a cache of 1,000 (migrations {@code V8_1}, {@code V11_1}): H2 stores the file each time a
 * sequence's cache is used up, so with its default of 32, every 32nd insert made a commit of its own.
 */
class H2IdentityCacheTest {

    @TempDir
    Path dir;

    @Test
    void insertingHundredsOfCallsAndCommandsStoresTheFileOnceWhenTheirTransactionCommits() throws SQLException {
        try (HikariDataSource dataSource = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger"), "sa", "", null, 2);
             Connection connection = dataSource.getConnection()) {
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            LedgerRows.request(jdbc, "r1", false);
            MVStore store = LedgerCompaction.fileStore(connection);
            long before = -1;
            try (PreparedStatement command = connection.prepareStatement("INSERT INTO bridge_command (id, request_id, seq, kind, "
                    + "device, state, phase, created_at, updated_at) VALUES (?, 'r1', ?, 'credentials', ?, 'Command Queued', 'CREATE', "
                    + "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
                 PreparedStatement call = connection.prepareStatement("INSERT INTO bridge_call (command_no, at, operation) VALUES ("
                         + Ledger.COMMAND_NO + ", CURRENT_TIMESTAMP, 'create-action')");
                 PreparedStatement transition = connection.prepareStatement("INSERT INTO bridge_transition (command_no, at, "
                         + "to_state) VALUES (" + Ledger.COMMAND_NO + ", CURRENT_TIMESTAMP, 'Command Queued')")) {
                for (int i = 0; i <= 300; i++) {
                    if (i == 1) { // each sequence took its first cache of values with the first command's rows
                        connection.setAutoCommit(false);
                        before = store.getCurrentVersion();
                    }
                    command.setString(1, "c" + i);
                    command.setInt(2, i);
                    command.setString(3, "door-" + i);
                    command.executeUpdate();
                    for (PreparedStatement log : new PreparedStatement[] {call, transition}) {
                        log.setString(1, "c" + i);
                        log.executeUpdate();
                    }
                }
            }
            assertThat(store.getCurrentVersion()).as("stores of the file while the transaction ran").isEqualTo(before);
            connection.commit();
            assertThat(store.getCurrentVersion()).as("stores once it committed").isEqualTo(before + 1);
        }
    }
}
