package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On H2 a command's transitions and calls are found through their foreign key's own index alone
 * (migration {@code V9_9}: no second index on the same column for each insert to write too), in the
 * order they were written; and the keys still hold. They refer to their command by its number
 * ({@code command_no}, migration {@code V10_1}), looked up from its id as they are written.
 */
class H2ForeignKeyIndexTest {

    @Test
    void aCommandsTransitionsAndCallsHaveOneIndexServingTheKeyAndTheHistory() {
        String schema = "fk_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (HikariDataSource dataSource = LedgerDatabase.open("jdbc:h2:mem:fk_" + UUID.randomUUID(), "sa", "", schema, 2)) {
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            for (String table : List.of("BRIDGE_TRANSITION", "BRIDGE_CALL")) {
                List<String> indexes = jdbc.queryForList("SELECT DISTINCT INDEX_NAME FROM INFORMATION_SCHEMA.INDEX_COLUMNS "
                        + "WHERE UPPER(TABLE_SCHEMA) = ? AND TABLE_NAME = ? AND COLUMN_NAME = 'COMMAND_NO'", String.class,
                        schema.toUpperCase(), table);
                assertThat(indexes).as("indexes on %s.command_no", table).hasSize(1);
            }

            LedgerRows.request(jdbc, "r1", false);
            LedgerRows.commands(jdbc, "r1", "Command Queued", "CREATE", "c1", "c2");
            // written interleaved, the two commands' rows alternate in the tables
            for (String state : List.of("Command Queued", "Command Initiated", "Command Acknowledged", "Command Success")) {
                for (String c : List.of("c2", "c1")) {
                    jdbc.update("INSERT INTO bridge_transition (command_no, at, to_state) VALUES (" + Ledger.COMMAND_NO
                            + ", CURRENT_TIMESTAMP, ?)", c, state);
                    jdbc.update("INSERT INTO bridge_call (command_no, at, operation) VALUES (" + Ledger.COMMAND_NO
                            + ", CURRENT_TIMESTAMP, ?)", c, state);
                }
            }
            Ledger ledger = new Ledger(dataSource, java.time.Clock.systemUTC());
            assertThat(new LedgerReads(ledger).transitions("c1")).extracting(t -> t.to().label())
                    .containsExactly("Command Queued", "Command Initiated", "Command Acknowledged", "Command Success");
            long c1 = jdbc.queryForObject("SELECT list_no FROM bridge_command WHERE id = 'c1'", Long.class);
            String plan = jdbc.queryForObject("EXPLAIN SELECT operation FROM bridge_call WHERE command_no = " + c1 + " ORDER BY id",
                    String.class);
            assertThat(plan).as("plan of a command's calls").doesNotContainIgnoringCase("tableScan");
            assertThat(new CallLog(ledger).calls("c1")).extracting(CallRecord::operation)
                    .containsExactly("Command Queued", "Command Initiated", "Command Acknowledged", "Command Success");

            assertThatThrownBy(() -> jdbc.update("INSERT INTO bridge_transition (command_no, at, to_state) "
                    + "VALUES (987654321, CURRENT_TIMESTAMP, 'Command Queued')"))
                    .isInstanceOf(DataIntegrityViolationException.class);
            assertThatThrownBy(() -> new CallLog(ledger).recordCall("no such command", "create", 201, null, 5, null))
                    .as("a call of a command the ledger does not hold")
                    .isInstanceOf(DataIntegrityViolationException.class);
        }
    }
}
