package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.PostgresAvailability;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The online compaction of an H2 file ledger: it gives space back while the ledger is open and
 * keeps every row; and it leaves every other database alone. (What it saves over a long run is
 * measured by bench/ledger-size.sh, not here.)
 */
class LedgerCompactionTest {

    static final Duration BUDGET = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void rewritesTheLiveRowsOfMostlyDeadPartsOfTheFileWhileTheLedgerIsOpenGivesTheSpaceBackAndKeepsEveryRow() throws Exception {
        Path file = dir.resolve("ledger.mv.db");
        // RETENTION_TIME=0: freed space may be reused at once (the bridge keeps H2's 45 s), so the test need not wait
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger") + ";RETENTION_TIME=0", "sa", "", null, 4)) {
            CommandStore ledger = mostlyDead(ds, 2000);
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            long before = Files.size(file);

            LedgerCompaction compaction = new LedgerCompaction(ds, BUDGET);
            LedgerCompaction.Outcome first = compaction.compact();
            LedgerCompaction.Outcome last = first;
            for (int run = 0; run < 10 && last.liveAfter() < 80; run++) {
                last = compaction.compact();
            }

            assertThat(first).isNotNull();
            assertThat(last.liveAfter()).as("live data in the file's chunks, percent").isGreaterThan(first.liveBefore());
            // the file gives space back; how much depends on where the live pages sit: with the ledger's
            // indexes of today this ledger stalls near 13 % live and 93 % of its size (docs/ledger-storage.md)
            assertThat(Files.size(file)).as("file after compaction; first %s, last %s", first, last).isLessThan(before);
            assertThat(jdbc.queryForList("SELECT id FROM bridge_command ORDER BY seq", String.class)).hasSize(20).startsWith("c7", "c107");
            assertThat(ledger.command("c1907")).hasValueSatisfying(c -> {
                assertThat(c.phase()).isEqualTo("UPLOAD");
                assertThat(c.payload()).contains("\"1907\"", "Ada Lovelace");
            });
        }
        // and the file opens again, whole
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger"), "sa", "", null, 2)) {
            assertThat(new LedgerReads(new Ledger(ds, Clock.systemUTC())).transitions("c1907")).hasSize(1);
        }
    }

    @Test
    void evacuatesAFileOfMostlyFreeSpaceOnceNothingElseCommitsSoThatItsEndCanBeCut() throws Exception {
        Path file = dir.resolve("ledger.mv.db");
        try (HikariDataSource ds = evacuationOnly()) {
            CommandStore ledger = mostlyDead(ds, 1000);
            ledger.openRequest("later", "file", "later.json"); // a commit after them, as a late webhook makes
            long before = Files.size(file);

            LedgerCompaction compaction = new LedgerCompaction(ds, BUDGET);
            LedgerCompaction.Outcome busy = compaction.compact();           // something was committed since the last run
            assertThat(busy.sizeAfter()).as("a run after commits leaves the file as it is").isEqualTo(before);
            for (int run = 0; run < LedgerCompaction.EVACUATE_RUNS; run++) {
                compaction.compact();                                        // nothing committed since the run before
            }

            assertThat(Files.size(file)).as("file after the quiet runs, of %d bytes before", before).isLessThan(before / 10);
            assertEveryLiveCommandKept(ds, ledger);
        }
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger"), "sa", "", null, 2)) {
            assertThat(new LedgerReads(new Ledger(ds, Clock.systemUTC())).transitions("c907")).hasSize(1);
        }
    }

    @Test
    void aQuietLedgerIsRewrittenOnlyWhileThatCanCutItsFileAndThenLeftAsItIs() throws Exception {
        Path file = dir.resolve("ledger.mv.db");
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger") + ";RETENTION_TIME=0", "sa", "", null, 4)) {
            mostlyDead(ds, 1000);
            long before = Files.size(file);
            LedgerCompaction compaction = new LedgerCompaction(ds, BUDGET);
            compaction.compact();                                            // the passes, after the commits
            for (int run = 0; run < LedgerCompaction.EVACUATE_RUNS; run++) {
                compaction.compact();                                        // nothing else committed since the run before
            }
            long settled = Files.size(file);
            long version = version(ds);

            LedgerCompaction.Outcome again = compaction.compact();

            assertThat(settled).as("file after the quiet runs, of %d bytes before", before).isLessThan(before / 10);
            try (Connection c = ds.getConnection()) {
                MVStore store = LedgerCompaction.fileStore(c);
                LedgerCompaction.Layout layout = LedgerCompaction.Layout.of(store);
                assertThat(LedgerCompaction.evacuation((RandomAccessStore) store.getFileStore(), layout))
                        .as("live data to move: none, the file is cut as far as it goes").isNull();
                assertThat(layout.deadBlocks()).as("blocks of dead chunks waiting for a commit").isLessThan(16);
            }
            assertThat(again.passes()).isZero();
            assertThat(version(ds)).as("nothing written by a quiet run once the file is cut").isEqualTo(version);
            assertThat(Files.size(file)).isEqualTo(settled);
        }
    }

    @Test
    void aLedgerStillTakingATrickleOfCommitsIsCutOnceTheWorkIsDone() throws Exception {
        Path file = dir.resolve("ledger.mv.db");
        try (HikariDataSource ds = evacuationOnly()) {
            CommandStore ledger = mostlyDead(ds, 1000);
            long before = Files.size(file);
            LedgerCompaction compaction = new LedgerCompaction(ds, BUDGET);
            compaction.compact();                                            // the passes, after the commits
            int evacuated = 0;
            for (int run = 0; run < 60 && Files.size(file) >= before / 10; run++) {
                long version = version(ds);
                ledger.openRequest("late-" + run, "api", null);              // one commit a run: a late webhook, a timer
                assertThat(version(ds)).isGreaterThan(version);
                evacuated += compaction.compact().passes();
            }

            assertThat(Files.size(file)).as("file after %d evacuating runs, of %d bytes before", evacuated, before)
                    .isLessThan(before / 10);
            assertThat(evacuated).as("runs that evacuated, though something committed before each").isPositive();
            assertEveryLiveCommandKept(ds, ledger);
        }
    }

    @Test
    void aQuietLedgerFileOfMostlyWasteIsCopiedWhileOtherLedgerCallsWaitAndNoneIsLost() throws Exception {
        Path file = dir.resolve("ledger.mv.db");
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger"), "sa", "", null, 4)) {
            CommandStore ledger = mostlyDead(ds, 1000);
            long before = Files.size(file);
            LedgerCompaction compaction = new LedgerCompaction(ds, BUDGET, new LedgerCompaction.QuietCopy(ds, 1L << 30, 1L << 20));
            compaction.compact();                                            // after the commits: not quiet
            // a caller of the ledger going on meanwhile, a few commits a second (the ledger stays quiet)
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger written = new AtomicInteger();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread caller = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        ledger.openRequest("meanwhile-" + written.get(), "api", null);
                        written.incrementAndGet();
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            });
            caller.start();
            Thread.sleep(200);

            LedgerCompaction.Outcome copied = compaction.compact();
            Thread.sleep(200);
            stop.set(true);
            caller.join();

            assertThat(copied.sizeAfter()).as("the file copied, of %d bytes before", before).isLessThan(before / 100);
            assertThat(Files.size(file)).as("and written to since").isLessThan(before / 100);
            assertThat(failures).as("ledger calls while the file was copied").isEmpty();
            assertThat(written.get()).isGreaterThan(4);
            assertThat(new JdbcTemplate(ds).queryForObject("SELECT COUNT(*) FROM bridge_request WHERE id LIKE 'meanwhile-%'",
                    Integer.class)).isEqualTo(written.get());
            assertEveryLiveCommandKept(ds, ledger);
            assertThat(compaction.sync()).as("the new file, synced").isTrue();
            assertThat(compaction.sync()).as("nothing committed since").isFalse();
            ledger.openRequest("after", "api", null);
            assertThat(compaction.sync()).isTrue();
        }
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger"), "sa", "", null, 2)) {
            assertThat(new LedgerReads(new Ledger(ds, Clock.systemUTC())).transitions("c907")).hasSize(1);
        }
    }

    @Test
    void aQuietLedgerFileIsNotCopiedWhileAnotherConnectionHoldsATransactionWhichThenCommits() throws Exception {
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger"), "sa", "", null, 4)) {
            CommandStore ledger = mostlyDead(ds, 1000);
            LedgerCompaction compaction = new LedgerCompaction(ds, BUDGET, new LedgerCompaction.QuietCopy(ds, 1L << 30, 1L << 20));
            compaction.compact();
            MVStore store;
            try (Connection c = ds.getConnection()) {
                store = LedgerCompaction.fileStore(c);
            }
            try (Connection held = ds.getConnection()) {
                held.setAutoCommit(false);
                try (var insert = held.prepareStatement("UPDATE bridge_command SET reason = 'held' WHERE id = 'c7'")) {
                    assertThat(insert.executeUpdate()).isEqualTo(1);
                }

                compaction.compact();                                        // quiet, but a transaction is under way

                held.commit();
            }
            try (Connection c = ds.getConnection()) {
                assertThat(LedgerCompaction.fileStore(c)).as("the same store: the file was not copied").isSameAs(store);
            }
            assertThat(ledger.command("c7")).hasValueSatisfying(c -> assertThat(c.reason()).isEqualTo("held"));
        }
    }

    @Test
    void aQuietCopyIsWorthItOnlyForAFileWellAboveItsLiveDataWhichIsNotTooLarge() {
        var copy = new LedgerCompaction.QuietCopy(null, 256L << 20, 16L << 20);
        assertThat(copy.worthIt(2_000L << 20, 170L << 20)).as("100,000 commands as the work ends").isTrue();
        assertThat(copy.worthIt(200L << 20, 170L << 20)).as("30 MB over 170 MB: less than a quarter").isFalse();
        assertThat(copy.worthIt(220L << 20, 170L << 20)).isTrue();
        assertThat(copy.worthIt(20L << 20, 5L << 20)).as("less than 16 MB to give back").isFalse();
        assertThat(copy.worthIt(2_000L << 20, 300L << 20)).as("more live data than the copy takes").isFalse();
        assertThat(LedgerCompaction.QuietCopy.upTo(null, 0)).as("0: never").isNull();
        assertThat(LedgerCompaction.QuietCopy.upTo(null, 256).maxLive()).isEqualTo(256L << 20);
    }

    /**
     * A ledger file whose usual passes give nothing back ({@code AUTO_COMPACT_FILL_RATE=10}: they leave chunks with
     * more live data than that alone), so that only the evacuation can cut it.
     */
    private HikariDataSource evacuationOnly() {
        return LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger") + ";RETENTION_TIME=0;AUTO_COMPACT_FILL_RATE=10", "sa", "",
                null, 4);
    }

    private static void commitNothing(MVStore store) {
        store.setStoreVersion(store.getStoreVersion() + 1);
        store.commit();
    }

    /** A chunk of {@code length} blocks at {@code block}, {@code livePercent} of it live (H2's lengths: 4,096 bytes a block). */
    private static LedgerCompaction.Layout.Placed chunk(int id, long block, long length, int livePercent) {
        return new LedgerCompaction.Layout.Placed(id, block, length, length * 4096, length * 4096 * livePercent / 100);
    }

    private static LedgerCompaction.Layout layout(LedgerCompaction.Layout.Placed... chunks) {
        return new LedgerCompaction.Layout(List.of(chunks));
    }

    @Test
    void aQuietRunsRewriteIsStoredAsOneChunkWhereH2WouldSplitItIntoPiecesOfAFewMegabytes() {
        MVStore store = new MVStore.Builder().fileName(dir.resolve("pieces.mv.db").toString()).autoCommitDisabled().open();
        try {
            MVMap<Integer, String> rows = store.openMap("rows");
            for (int i = 0; i < 12_000; i++) { // 12 MB of rows, in 24 commits
                rows.put(i, "row " + i + " " + "x".repeat(1_000));
                if (i % 500 == 499) {
                    store.commit();
                }
            }
            commitNothing(store); // H2's layout map lists a chunk from the commit after it on
            Set<Integer> before = LedgerCompaction.Layout.of(store).chunks().stream().map(LedgerCompaction.Layout.Placed::id)
                    .collect(Collectors.toSet());

            assertThat(LedgerCompaction.rewriteAsOneChunk(store, null, new LedgerCompaction.Evacuation(before, 64 << 20))).isTrue();

            commitNothing(store);
            List<LedgerCompaction.Layout.Placed> written = LedgerCompaction.Layout.of(store).chunks().stream()
                    .filter(c -> !before.contains(c.id()) && c.liveMax() > 100_000).toList();
            assertThat(written).as("chunks written by the rewrite").hasSize(1);
            assertThat(written.get(0).liveMax()).as("the rows' bytes in it").isGreaterThan(12_000_000L);
            assertThat(rows.get(11_999)).startsWith("row 11999 ");
        } finally {
            store.close();
        }
    }

    @Test
    void aQuietRunMovesTheChunksAtTheFileEndIntoTheLargestGapBeforeThemAsFarAsTheGapTakesThem() {
        LedgerCompaction.Layout roomy = layout(chunk(1, 2, 100, 100), chunk(2, 10_000, 1_000, 50), chunk(3, 11_000, 1_000, 90));
        assertThat(LedgerCompaction.evacuation(roomy, 20, 64 << 20).chunks()).as("both end chunks' live data fits the gap").containsOnly(2, 3);

        // a gap of 1,000 blocks takes the last chunk's 900 live blocks, not the 500 of the one before as well
        LedgerCompaction.Layout tight = layout(chunk(1, 2, 100, 100), chunk(2, 1_102, 1_000, 50), chunk(3, 2_102, 1_000, 90));
        assertThat(LedgerCompaction.evacuation(tight, 80, 64 << 20).chunks()).containsOnly(3);

        // the rewrite's limit bounds how many are taken, but one chunk is taken whatever its size
        assertThat(LedgerCompaction.evacuation(roomy, 20, 1 << 20).chunks()).containsOnly(3);
    }

    @Test
    void whenNotEvenTheLastChunkFitsAGapTheOldestDataGoesToTheEndOfAFileOfMostlyGapsOrAllAtOnceElseNothingMoves() {
        LedgerCompaction.Layout full = layout(chunk(1, 2, 600, 100), chunk(2, 1_102, 1_000, 90));

        LedgerCompaction.Evacuation plan = LedgerCompaction.evacuation(full, 30, 16 << 20);

        assertThat(plan.chunks()).as("no chunk named: H2 takes its oldest").isEmpty();
        assertThat(plan.bytes()).isEqualTo(16 << 20);
        assertThat(LedgerCompaction.evacuation(full, 80, 1 << 20)).as("sent to the end in pieces, it would only make the file longer")
                .isNull();
        assertThat(LedgerCompaction.evacuation(full, 80, 16 << 20).bytes()).as("all the data at once: it comes back as one chunk")
                .isEqualTo(16 << 20);
    }

    @Test
    void aQuietRunRewritesAtMostSixteenMegabytesAtOnceLessWithASmallHeap() {
        assertThat(LedgerCompaction.evacuateLimit(128L << 20)).isEqualTo(4 << 20);
        assertThat(LedgerCompaction.evacuateLimit(512L << 20)).isEqualTo(8 << 20);
        assertThat(LedgerCompaction.evacuateLimit(6L << 30)).isEqualTo(16 << 20);
    }

    /** The commands {@link #mostlyDead} left alive, all of them, as they were. */
    private static void assertEveryLiveCommandKept(HikariDataSource ds, CommandStore ledger) {
        assertThat(new JdbcTemplate(ds).queryForList("SELECT id FROM bridge_command ORDER BY seq", String.class))
                .hasSize(10).startsWith("c7", "c107");
        assertThat(ledger.command("c907")).hasValueSatisfying(c -> assertThat(c.phase()).isEqualTo("UPLOAD"));
    }

    private static long version(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection()) {
            return LedgerCompaction.fileStore(c).getCurrentVersion();
        }
    }

    @Test
    void anH2FileLedgerReusesTheSpaceOfChunksWrittenFiveSecondsAgoAndIsSyncedOnlyWhenSomethingWasCommitted() throws Exception {
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger"), "sa", "", null, 2)) {
            try (Connection c = ds.getConnection()) {
                MVStore store = LedgerCompaction.fileStore(c);
                assertThat(store.getRetentionTime()).isEqualTo(5000);
                assertThat(store.getAutoCommitDelay()).as("WRITE_DELAY").isZero();
                assertThat(LedgerCompaction.storeLock(store)).as("H2's store lock, which a compaction pass queues for").isNotNull();
            }
            LedgerCompaction compaction = new LedgerCompaction(ds, BUDGET);
            assertThat(compaction.sync()).as("the migrations' commits").isTrue();
            assertThat(compaction.sync()).as("nothing committed since").isFalse();

            new CommandStore(new Ledger(ds, Clock.systemUTC())).openRequest("r", "file", "r.json");

            assertThat(compaction.sync()).isTrue();
            assertThat(compaction.sync()).isFalse();
        }
    }

    @Test
    void syncsNothingOnAnH2DatabaseInMemory() {
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:mem:sync-" + System.nanoTime(), "sa", "", null, 2)) {
            assertThat(new LedgerCompaction(ds, BUDGET).sync()).isFalse();
        }
    }

    @Test
    void leavesAnH2FileAloneWhoseOwnBackgroundWriterCompactsIt() {
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger") + ";WRITE_DELAY=500", "sa", "", null, 2)) {
            assertThat(new LedgerCompaction(ds, BUDGET).compact()).isNull();
        }
    }

    @Test
    void isTurnedOffByAnAutoCompactFillRateOfZero() {
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger") + ";AUTO_COMPACT_FILL_RATE=0", "sa", "",
                null, 2)) {
            assertThat(new LedgerCompaction(ds, BUDGET).compact()).isNull();
        }
    }

    @Test
    void doesNothingOnAnH2DatabaseInMemory() {
        try (HikariDataSource ds = LedgerDatabase.open("jdbc:h2:mem:compaction-" + System.nanoTime(), "sa", "", null, 2)) {
            assertThat(new LedgerCompaction(ds, BUDGET).compact()).isNull();
        }
    }

    @Test
    void doesNothingOnPostgres() {
        PostgresAvailability.assumeAvailable();
        String schema = PostgresAvailability.freshSchema();
        try (HikariDataSource ds = LedgerDatabase.open(PostgresAvailability.jdbcUrl(), PostgresAvailability.user(),
                PostgresAvailability.password(), schema, 2)) {
            assertThat(new LedgerCompaction(ds, BUDGET).compact()).isNull();
        } finally {
            PostgresAvailability.dropSchema(schema);
        }
    }

    /**
     * Writes {@code commands} commands with two commits each (as intake and a step make them), then removes all
     * but one row in 100 ({@code c7}, {@code c107}, ...): every part of the file is left mostly dead.
     */
    private static CommandStore mostlyDead(HikariDataSource ds, int commands) {
        Ledger core = new Ledger(ds, Clock.systemUTC());
        CommandStore ledger = new CommandStore(core);
        WorkQueue queue = new WorkQueue(core);
        ledger.openRequest("r", "file", "r.json");
        for (int seq = 0; seq < commands; seq++) {
            ledger.recordCommands(List.of(new NewCommand("c" + seq, "r", seq, 0, "line " + seq, "a" + seq, "credentials", "door-" + seq,
                    CommandState.QUEUED, "{\"credentials\":[{\"id\":\"" + seq + "\",\"holder\":\"Ada Lovelace\"}]}", "CREATE",
                    Instant.now(), null, null)));
            queue.saveProgress("c" + seq, Progress.next("UPLOAD", Instant.now()));
        }
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        jdbc.update("DELETE FROM bridge_transition WHERE command_no IN (SELECT list_no FROM bridge_command "
                + "WHERE MOD(CAST(SUBSTRING(id, 2) AS INT), 100) <> 7)");
        jdbc.update("DELETE FROM bridge_command WHERE MOD(CAST(SUBSTRING(id, 2) AS INT), 100) <> 7");
        return ledger;
    }
}
