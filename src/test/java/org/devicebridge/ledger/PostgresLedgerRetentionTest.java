package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.PostgresAvailability;

/**
 * The ledger's retention on PostgreSQL, in a schema of its own (created by Flyway, dropped after).
 * Skipped when PostgreSQL is not reachable, unless {@code CI=true}.
 */
class PostgresLedgerRetentionTest extends LedgerRetentionContractTest {

    private final String schema = PostgresAvailability.freshSchema();

    @Override
    HikariDataSource openDatabase() {
        PostgresAvailability.assumeAvailable();
        return LedgerDatabase.open(PostgresAvailability.jdbcUrl(), PostgresAvailability.user(), PostgresAvailability.password(),
                schema, 4);
    }

    @Override
    void closeDatabase(HikariDataSource dataSource) {
        dataSource.close();
        PostgresAvailability.dropSchema(schema);
    }
}
