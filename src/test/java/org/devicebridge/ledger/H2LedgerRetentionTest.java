package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The ledger's retention on an H2 file database, opened as the bridge opens it. */
class H2LedgerRetentionTest extends LedgerRetentionContractTest {

    @TempDir
    Path dir;

    @Override
    HikariDataSource openDatabase() {
        return LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger"), "sa", "", null, 4);
    }

    @Override
    void closeDatabase(HikariDataSource dataSource) {
        dataSource.close();
    }
}
