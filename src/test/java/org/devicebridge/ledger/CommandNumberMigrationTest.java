package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.PostgresAvailability;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A ledger written before migration {@code V10_1} (transitions and calls naming their command by
 * its id) keeps every transition and call with its command once they refer to it by number, on H2
 * and on PostgreSQL; the state each moved from (no longer stored, V10_3) is the one its transition
 * before moved to.
 */
class CommandNumberMigrationTest {

    @Test
    void h2LedgerKeepsItsHistory() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:numbers_" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        config.setUsername("sa");
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            keepsItsHistory(dataSource, null, "9.9"); // V9_9 is H2's own
        }
    }

    @Test
    void postgresLedgerKeepsItsHistory() {
        PostgresAvailability.assumeAvailable();
        String schema = PostgresAvailability.freshSchema();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PostgresAvailability.jdbcUrl());
        config.setUsername(PostgresAvailability.user());
        config.setPassword(PostgresAvailability.password());
        config.setSchema(schema);
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            keepsItsHistory(dataSource, schema, "9.2");
        } finally {
            PostgresAvailability.dropSchema(schema);
        }
    }

    /** @param before the last migration before V10 on this database */
    private static void keepsItsHistory(HikariDataSource dataSource, String schema, String before) {
        LedgerDatabase.migrations(dataSource, schema).target(before).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        LedgerRows.request(jdbc, "r1", false);
        LedgerRows.commands(jdbc, "r1", "Command Queued", "CREATE", "c1", "c2", "c3");
        for (String state : List.of("Command Queued", "Command Initiated", "Command Success")) {
            for (String c : List.of("c3", "c1")) { // c2 has none
                jdbc.update("INSERT INTO bridge_transition (command_id, at, to_state) VALUES (?, CURRENT_TIMESTAMP, ?)", c, state);
                jdbc.update("INSERT INTO bridge_call (command_id, at, operation, vendor_request_id) VALUES (?, CURRENT_TIMESTAMP, ?, ?)",
                        c, state, c + "/" + state);
            }
        }

        LedgerDatabase.migrate(dataSource, schema);

        Ledger ledger = new Ledger(dataSource, Clock.systemUTC());
        LedgerReads reads = new LedgerReads(ledger);
        CallLog calls = new CallLog(ledger);
        for (String c : List.of("c1", "c3")) {
            assertThat(reads.transitions(c)).as("transitions of %s", c).extracting(t -> t.to().label())
                    .containsExactly("Command Queued", "Command Initiated", "Command Success");
            assertThat(reads.transitions(c)).as("the states they moved from").extracting(Transition::from)
                    .containsExactly(null, CommandState.QUEUED, CommandState.INITIATED);
            assertThat(calls.vendorRequestIds(c)).as("calls of %s", c)
                    .containsExactly(c + "/Command Queued", c + "/Command Initiated", c + "/Command Success");
        }
        assertThat(reads.transitions("c2")).isEmpty();
        assertThat(calls.vendorRequestIds(List.of("c1", "c2", "c3"))).containsOnlyKeys("c1", "c3");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM information_schema.columns WHERE LOWER(table_name) IN "
                + "('bridge_transition', 'bridge_call') AND LOWER(column_name) = 'command_id'"
                + (schema == null ? "" : " AND table_schema = '" + schema + "'"), Integer.class))
                .as("the id columns are gone").isZero();
        assertThatThrownBy(() -> jdbc.update("INSERT INTO bridge_call (command_no, at, operation) "
                + "VALUES (987654321, CURRENT_TIMESTAMP, 'create')"))
                .as("the foreign key holds").isInstanceOf(DataIntegrityViolationException.class);
    }
}
