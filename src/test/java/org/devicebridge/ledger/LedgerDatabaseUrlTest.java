package org.devicebridge.ledger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The settings the bridge adds to an H2 file URL, and the URLs it leaves alone. */
class LedgerDatabaseUrlTest {

    private static final long GB = 1024L * 1024 * 1024;

    @Test
    void anH2FileUrlIsOpenedWithEveryCommitWrittenAtOnceOldChunksReusedAfterFiveSecondsAndAQuarterOfTheHeapForPages() {
        assertThat(LedgerDatabase.durable("jdbc:h2:file:./data/ledger", 2 * GB))
                .isEqualTo("jdbc:h2:file:./data/ledger;WRITE_DELAY=0;RETENTION_TIME=5000;MAX_COMPACT_TIME=0;DB_CLOSE_ON_EXIT=FALSE;CACHE_SIZE=524288");
        assertThat(LedgerDatabase.durable("jdbc:h2:./data/ledger;AUTO_SERVER=TRUE", 2 * GB))
                .isEqualTo("jdbc:h2:./data/ledger;AUTO_SERVER=TRUE;WRITE_DELAY=0;RETENTION_TIME=5000;MAX_COMPACT_TIME=0;DB_CLOSE_ON_EXIT=FALSE;CACHE_SIZE=524288");
        assertThat(LedgerDatabase.durable("jdbc:h2:~/ledger", 2 * GB)).isEqualTo("jdbc:h2:~/ledger;WRITE_DELAY=0;RETENTION_TIME=5000;MAX_COMPACT_TIME=0;DB_CLOSE_ON_EXIT=FALSE;CACHE_SIZE=524288");
    }

    @Test
    void theCacheIsNeverBelowH2sOwnDefault() {
        assertThat(LedgerDatabase.cacheKilobytes(32L * 1024 * 1024)).isEqualTo(16 * 1024);   // -Xmx32m: 8 MB would be less
        assertThat(LedgerDatabase.cacheKilobytes(256L * 1024 * 1024)).isEqualTo(64 * 1024);
        assertThat(LedgerDatabase.cacheKilobytes(Long.MAX_VALUE)).isEqualTo(16 * 1024);      // no limit known
        assertThat(LedgerDatabase.durable("jdbc:h2:file:./data/ledger")).startsWith("jdbc:h2:file:./data/ledger;WRITE_DELAY=0;RETENTION_TIME=5000;MAX_COMPACT_TIME=0;DB_CLOSE_ON_EXIT=FALSE;CACHE_SIZE=");
    }

    @Test
    void aSettingTheUrlGivesItselfIsKeptInAnyLetterCase() {
        assertThat(LedgerDatabase.durable("jdbc:h2:file:/srv/ledger;write_delay=500;retention_time=45000;cache_size=4096", 2 * GB))
                .isEqualTo("jdbc:h2:file:/srv/ledger;write_delay=500;retention_time=45000;cache_size=4096;MAX_COMPACT_TIME=0;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(LedgerDatabase.durable("jdbc:h2:file:/srv/ledger;WRITE_DELAY=100;CACHE_SIZE=8192", 2 * GB))
                .isEqualTo("jdbc:h2:file:/srv/ledger;WRITE_DELAY=100;CACHE_SIZE=8192;RETENTION_TIME=5000;MAX_COMPACT_TIME=0;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(LedgerDatabase.durable("jdbc:h2:file:/srv/ledger;RETENTION_TIME=0", 2 * GB))
                .isEqualTo("jdbc:h2:file:/srv/ledger;RETENTION_TIME=0;WRITE_DELAY=0;MAX_COMPACT_TIME=0;DB_CLOSE_ON_EXIT=FALSE;CACHE_SIZE=524288");
    }

    @Test
    void anEmbeddedFileGetsALargerPoolThanADatabaseServerWhoseConnectionsEveryInstanceShares() {
        assertThat(LedgerDatabase.defaultPoolSize("jdbc:h2:file:./data/ledger")).isEqualTo(32);
        assertThat(LedgerDatabase.defaultPoolSize("jdbc:postgresql://127.0.0.1:5432/test")).isEqualTo(10);
        assertThat(LedgerDatabase.defaultPoolSize("jdbc:h2:tcp://db:9092/ledger")).isEqualTo(10);
    }

    @Test
    void otherDatabasesAreLeftAsTheyAre() {
        for (String url : new String[] {"jdbc:h2:mem:ledger", "jdbc:h2:mem:x;DB_CLOSE_DELAY=-1", "jdbc:h2:tcp://db:9092/ledger",
                "jdbc:h2:ssl://db/ledger", "jdbc:h2:zip:/backups/ledger.zip!/ledger", "jdbc:postgresql://127.0.0.1:5432/test"}) {
            assertThat(LedgerDatabase.durable(url)).as(url).isEqualTo(url);
        }
    }
}
