package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.PostgresAvailability;

/**
 * The ledger contract on PostgreSQL, in a schema of its own (created by Flyway, dropped after).
 * Skipped when PostgreSQL is not reachable, unless {@code CI=true}.
 */
class PostgresLedgerTest extends LedgerContractTest {

    private final String schema = PostgresAvailability.freshSchema();

    @Override
    HikariDataSource openDatabase() {
        PostgresAvailability.assumeAvailable();
        return LedgerDatabase.open(PostgresAvailability.jdbcUrl(), PostgresAvailability.user(), PostgresAvailability.password(),
                schema, 10);
    }

    @Override
    void closeDatabase(HikariDataSource dataSource) {
        dataSource.close();
        PostgresAvailability.dropSchema(schema);
    }
}
