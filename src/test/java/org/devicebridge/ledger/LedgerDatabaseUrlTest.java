package org.devicebridge.ledger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The settings the bridge adds to an H2 file URL, and the URLs it leaves alone. */
class LedgerDatabaseUrlTest {

    @Test
    void anH2FileUrlIsOpenedWithEveryCommitWrittenAtOnceAndOldChunksReusedAfterFiveSeconds() {
        assertThat(LedgerDatabase.durable("jdbc:h2:file:./data/ledger")).isEqualTo("jdbc:h2:file:./data/ledger;WRITE_DELAY=0;RETENTION_TIME=5000");
        assertThat(LedgerDatabase.durable("jdbc:h2:./data/ledger;AUTO_SERVER=TRUE"))
                .isEqualTo("jdbc:h2:./data/ledger;AUTO_SERVER=TRUE;WRITE_DELAY=0;RETENTION_TIME=5000");
        assertThat(LedgerDatabase.durable("jdbc:h2:~/ledger")).isEqualTo("jdbc:h2:~/ledger;WRITE_DELAY=0;RETENTION_TIME=5000");
    }

    @Test
    void aSettingTheUrlGivesItselfIsKeptInAnyLetterCase() {
        assertThat(LedgerDatabase.durable("jdbc:h2:file:/srv/ledger;write_delay=500;retention_time=45000"))
                .isEqualTo("jdbc:h2:file:/srv/ledger;write_delay=500;retention_time=45000");
        assertThat(LedgerDatabase.durable("jdbc:h2:file:/srv/ledger;WRITE_DELAY=100;CACHE_SIZE=8192"))
                .isEqualTo("jdbc:h2:file:/srv/ledger;WRITE_DELAY=100;CACHE_SIZE=8192;RETENTION_TIME=5000");
        assertThat(LedgerDatabase.durable("jdbc:h2:file:/srv/ledger;RETENTION_TIME=0"))
                .isEqualTo("jdbc:h2:file:/srv/ledger;RETENTION_TIME=0;WRITE_DELAY=0");
    }

    @Test
    void otherDatabasesAreLeftAsTheyAre() {
        for (String url : new String[] {"jdbc:h2:mem:ledger", "jdbc:h2:mem:x;DB_CLOSE_DELAY=-1", "jdbc:h2:tcp://db:9092/ledger",
                "jdbc:h2:ssl://db/ledger", "jdbc:h2:zip:/backups/ledger.zip!/ledger", "jdbc:postgresql://127.0.0.1:5432/test"}) {
            assertThat(LedgerDatabase.durable(url)).as(url).isEqualTo(url);
        }
    }
}
