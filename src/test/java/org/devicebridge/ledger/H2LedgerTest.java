package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;

import java.util.UUID;

/**
 * The ledger contract on H2, in a private in-memory database (gone when the pool closes), in a
 * schema of its own as {@code bridge.db.schema} asks. Its session time zone has summer time, as on
 * a bridge running in Berlin, so instants in the hour repeated when clocks go back must still
 * round-trip.
 */
class H2LedgerTest extends LedgerContractTest {

    @Override
    HikariDataSource openDatabase() {
        return LedgerDatabase.open("jdbc:h2:mem:ledger_" + UUID.randomUUID() + ";TIME ZONE=Europe/Berlin", "sa", "",
                "ledger_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), 10);
    }

    @Override
    void closeDatabase(HikariDataSource dataSource) {
        dataSource.close();
    }
}
