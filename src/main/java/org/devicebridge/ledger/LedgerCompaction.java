package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Online compaction of an H2 file ledger: the rewriting H2's own background writer would do, which
 * does not run in the bridge.
 * <p>
 * H2 (MVStore) never overwrites data in place: every commit appends a new chunk holding every page
 * it changed (a whole page of rows for a one-row update, and every page above it: tens of KB a
 * commit), and the space of an older chunk is used again only once none of its pages is live any
 * more and it was written at least {@code RETENTION_TIME} ago (5 s in the bridge, H2's default 45 s). Chunks that keep a few live pages are rewritten by H2's
 * background writer ("auto-compaction", {@code AUTO_COMPACT_FILL_RATE}), but that thread only runs
 * while {@code WRITE_DELAY} is above 0; the bridge sets {@code WRITE_DELAY=0} (a commit is in the
 * file before the call that follows it, see {@link LedgerDatabase#durable}), so without this step
 * every chunk that keeps one live page (of a finished command, say) is kept whole, for ever: some
 * 50 KB of file per command.
 * <p>
 * {@link #compact()} rewrites the live pages of the emptiest chunks older than the retention time
 * (at most {@value #WRITE_LIMIT} bytes per pass, H2's own {@code MVStore.compact}) and commits them
 * into a new chunk, placed in the first free space of the file; the old chunks then hold nothing
 * live, their space is used again, and H2 cuts the file when its end holds no chunk any more.
 * Chunks are not moved ({@code compactMoveChunks}): in H2 2.3.232 moving the last
 * chunk can, in a corner case, overlap space the file's last synced metadata still points to (fixed
 * upstream after 2.4.240), which a process killed at that moment would find corrupt. Each pass holds
 * H2's store lock while it writes, so commits wait for it (a pass queues for that lock as a commit
 * does: H2's own try of 10 ms never got it while the engine worked); a run stops after its time
 * budget, or when a pass no longer raises the share of live data in the chunks nor shrinks the file
 * (while the chunks are mostly dead, a pass that rewrote goes on regardless). While the ledger is
 * quiet (fewer than {@value #QUIET_COMMITS_PER_SECOND} commits a second since the last run: the
 * engine at rest, a late webhook perhaps) a file that is not mostly live data is
 * evacuated instead: the chunks at the file's end, as many as fit the largest gap before them, are
 * rewritten as one chunk into that gap (in a file of mostly gaps where nothing fits, the oldest data
 * goes to the end first), until the end holds nothing live and H2 cuts it ({@link #evacuation}); at
 * most {@value #EVACUATE_ROUNDS} times the data is rewritten so while the ledger stays quiet. A
 * ledger where nothing is committed and whose file is cut as far as it goes is not written to.
 * <p>
 * Once the work is done, a file well above its live data is instead copied whole while every other ledger call waits
 * ({@link QuietCopy}): the smallest file there is, for one wait of a few seconds.
 * <p>
 * It uses H2's own store API ({@code org.h2.mvstore}) through the embedded session. On any other
 * database (PostgreSQL, H2 in memory, an H2 server reached over TCP, which compacts its own file)
 * it does nothing, nor on an H2 file opened with {@code WRITE_DELAY} above 0 (H2's background writer
 * runs then). {@code AUTO_COMPACT_FILL_RATE=0} in the URL turns it off.
 * <p>
 * {@link #sync()} forces the file onto the disk, which the short {@code RETENTION_TIME} relies on.
 */
public class LedgerCompaction {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerCompaction.class);
    /**
     * Live data rewritten per pass. The pass's pages go into one new chunk, written into the first
     * free space of the file that is large enough. The free spaces are mostly the size of the
     * chunks of single commits (tens of KB): a chunk of a few MB (what H2's own background writer
     * rewrites at a time, which also moves chunks) finds none and goes to the end of the file,
     * which then never shrinks; one of 256 KB fills a gap near the start.
     */
    static final int WRITE_LIMIT = 256 * 1024;
    /** Below this share of the file that is live data (percent), a quiet ledger's chunks are rewritten into its gaps. */
    static final int EVACUATE_BELOW = 85;
    /**
     * The most live data one rewrite of a quiet run takes (a commit that comes meanwhile waits for it: the ledger
     * was quiet; 16 MB took 0.3 to 1.4 s on a 2-core machine). It is stored as one chunk, its pages held in
     * memory until then: 16 MB, less with a heap below 1 GB. A ledger with more data is rewritten in pieces this
     * large. Larger pieces write the pages above the rows fewer times (with 64 MB, 93 % of the chunks stayed
     * live, against 86 %) but fill the gaps less well: a replay of a 100,000-command ledger ended longer.
     */
    static final int EVACUATE_LIMIT = evacuateLimit(Runtime.getRuntime().maxMemory());

    /** {@link #EVACUATE_LIMIT} for a heap of {@code maxHeap} bytes: 16 MB, or a 64th of it if less, at least 4 MB. */
    static int evacuateLimit(long maxHeap) {
        return (int) Math.max(4L << 20, Math.min(16L << 20, maxHeap / 64));
    }
    /**
     * Below this share of the file that is live data (percent), a quiet run whose chunk at the file's end fits
     * no gap sends the oldest data to the end: the file is mostly gaps, and the space that data leaves takes
     * the chunks at the end in the runs after. Above it, that would only make the file longer (it grew by a
     * piece a run in a replay of a 100,000-command ledger at 81 %), unless all the data goes at once: then it
     * comes back as one chunk (a 2,000-command ledger stayed at 5.2 MB for 3.3 MB of data without that).
     */
    static final int SEND_TO_END_BELOW = 50;
    /**
     * Below this many commits per second since the last run, the ledger counts as quiet for the evacuation: the
     * engine at work commits some 150 a second; a late webhook or a timer, a few. (The event topic catching up
     * on 100,000 actions made more: the file is cut once it has.)
     */
    static final int QUIET_COMMITS_PER_SECOND = 20;
    /** How many times its data a quiet period's evacuation may rewrite: about twice is what a file in pieces takes. */
    static final int EVACUATE_ROUNDS = 4;
    /** Smaller gaps than this are left as they are: filling them would not let the file be cut by much. */
    static final int EVACUATE_MIN_GAP = 64 * 1024;
    /** The most commits of nothing after an evacuation (or the work): a file that will not get shorter is not touched for ever. */
    static final int EVACUATE_RUNS = 20;
    /** H2's block: chunks start and end on one, and the file starts with two (its header). */
    private static final int BLOCK = 4096;

    private final DataSource dataSource;
    private final Duration budget;
    /** The whole file copied while the ledger is quiet; null: never (a pool the bridge does not own, or turned off). */
    private final QuietCopy copy;
    /** When the next quiet copy may be made ({@link System#nanoTime}). */
    private long nextCopyAt = System.nanoTime();
    /** The store's version at the last {@link #sync} (-1: none yet). */
    private volatile long syncedVersion = -1;
    /** The store's version when the last run ended: unchanged at the next run, nothing was committed meanwhile. */
    private volatile long quietVersion = -1;
    /** When the last run ended ({@link System#nanoTime}). */
    private long lastRunAt;
    /** Commits of nothing since the ledger was last busy or the last evacuation. */
    private int touches;
    /** Live data rewritten by evacuations since the ledger was last busy (H2's measure). */
    private long evacuated;

    /**
     * @param budget a run stops starting new passes after this long (a pass holds H2's store lock
     *               while it writes, so commits wait for it)
     */
    public LedgerCompaction(DataSource dataSource, Duration budget) {
        this(dataSource, budget, null);
    }

    /** @param copy how a quiet ledger's whole file is copied; null: never */
    public LedgerCompaction(DataSource dataSource, Duration budget, QuietCopy copy) {
        this.dataSource = dataSource;
        this.budget = budget;
        this.copy = copy;
    }

    /** How this compaction copies a quiet ledger's whole file; null: never. */
    public QuietCopy quietCopy() {
        return copy;
    }

    /**
     * The whole file copied into a new one while the ledger is quiet, as a graceful stop does ({@code SHUTDOWN COMPACT}:
     * every live page, compressed, in a new file that then replaces the old one by an atomic rename), while the
     * ledger's own pool holds every other ledger call back (HikariCP's pool suspension: a caller waits in
     * {@code getConnection} and goes on once the copy is done, on a connection to the new file). The evacuation leaves
     * a file of pieces, 1.8 to 2.6 times its data after 100,000 commands; the copy leaves the smallest file there is
     * (docs/ledger-storage.md).
     * <p>
     * Only while no other connection is in use (a transaction under way would be rolled back by H2's close: with one
     * in use, the copy waits for a later run; one taken as the pool was suspended gets up to {@link #WAIT}); when the file is at least
     * {@code minWaste} (and a quarter of its live data) above its live data; when that data is at most
     * {@code maxLive} (the wait grows with it: 4 to 6 s for 200 MB of live data, 100,000 commands finished a moment before); and
     * at most once in {@link #SPACING}.
     *
     * @param pool     the ledger's pool, the bridge's own (never an application's: its other users would wait too),
     *                 opened with pool suspension allowed ({@link LedgerDatabase#open})
     * @param maxLive  the most live data (H2's measure, bytes) copied so
     * @param minWaste the least room the copy must give back (bytes)
     */
    public record QuietCopy(HikariDataSource pool, long maxLive, long minWaste) {

        /**
         * How long the copy, the pool suspended, waits for the connections still in use to come back before it gives up
         * (and tries again after {@link #RETRY}: meanwhile every ledger call waited).
         */
        static final Duration WAIT = Duration.ofSeconds(1);
        static final Duration RETRY = Duration.ofMinutes(1);
        /** The least time between two copies: a ledger that fills up again soon is left to the evacuation meanwhile. */
        static final Duration SPACING = Duration.ofMinutes(10);
        /** The least room a copy gives back by default: below it, the pause is not worth it. */
        static final long MIN_WASTE = 16L << 20;

        /** A copy of at most {@code maxLiveMegabytes} of live data (0: never, null returned). */
        public static QuietCopy upTo(HikariDataSource pool, int maxLiveMegabytes) {
            return maxLiveMegabytes <= 0 ? null : new QuietCopy(pool, (long) maxLiveMegabytes << 20, MIN_WASTE);
        }

        /** Whether a file of {@code fileSize} bytes holding {@code live} bytes of live data is worth copying. */
        boolean worthIt(long fileSize, long live) {
            return live <= maxLive && fileSize - live >= Math.max(minWaste, live / 4);
        }
    }

    /**
     * What one run did: the file's size, and how much of the data in its chunks is live (percent),
     * before and after.
     */
    public record Outcome(long sizeBefore, long sizeAfter, int liveBefore, int liveAfter, int passes) {
    }

    /**
     * One compaction run, called from the {@code ledger-compaction} route.
     *
     * @return what it did; null when the ledger is no H2 file database opened by this process (nothing to do)
     */
    public Outcome compact() {
        try (Connection connection = dataSource.getConnection()) {
            MVStore store = fileStore(connection);
            if (store == null) {
                return null;
            }
            int fillRate = ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession()).getDatabase().getSettings()
                    .autoCompactFillRate;
            if (fillRate <= 0 || store.getAutoCommitDelay() > 0 || !(store.getFileStore() instanceof RandomAccessStore file)) {
                return null; // compaction turned off; or WRITE_DELAY above 0, and H2's own background writer does it
            }
            long sizeBefore = file.size();
            int liveBefore = file.getChunksFillRate();
            long commits = store.getCurrentVersion() - quietVersion;
            boolean idle = commits == 0;
            // the engine at rest: nothing, or only a trickle (a late webhook, a timer) committed
            boolean quiet = quietVersion >= 0 && commits * 1_000_000_000L
                    < QUIET_COMMITS_PER_SECOND * Math.max(1_000_000_000L, System.nanoTime() - lastRunAt);
            long size = sizeBefore;
            int live = liveBefore;
            int passes = 0;
            ReentrantLock storeLock = storeLock(store);
            boolean cutting = false; // this run works at cutting the file's end
            if (quiet) {
                // little was committed since the last run, so little new died: the passes below would mostly rewrite what
                // the last run wrote. What is left to do is to cut the file's end.
                Layout layout = Layout.of(store);
                long liveData = layout.live();
                if (copy != null && System.nanoTime() - nextCopyAt >= 0 && copy.worthIt(sizeBefore, liveData)) {
                    Sizes copied = copyAlone(connection, store, liveData);
                    if (copied != null) {
                        return new Outcome(copied.before(), copied.after(), liveBefore, 100, 1); // a new file: every page live
                    }
                }
                if (idle && layout.deadBlocks() * BLOCK >= EVACUATE_MIN_GAP && touches < EVACUATE_RUNS) {
                    // chunks that died in the runs before are freed, and the file's end cut, only by a commit: none may come
                    // while the bridge is idle (a run of the ledger-size bench stayed at 6.5 MB for 75 s, 3.6 MB once stopped).
                    // While others commit, their commits do it.
                    cutting = true;
                    touches++;
                    touch(store, storeLock);
                    layout = Layout.of(store); // and the space they held now takes the next rewrite, in this same run
                }
                if (evacuated < EVACUATE_ROUNDS * layout.maxLength() + EVACUATE_LIMIT) {
                    Evacuation plan = evacuation(file, layout);
                    if (plan != null) {
                        cutting = true;
                        touches = 0; // what this rewrite leaves dead may take commits of nothing again
                        evacuated += Math.min(plan.bytes(), layout.maxLength()); // no run rewrites more than there is
                        passes += rewriteAsOneChunk(store, storeLock, plan) ? 1 : 0;
                    }
                }
            } else {
                touches = 0;
                evacuated = 0;
            }
            if (!idle && !cutting) {
                long stopAt = System.nanoTime() + budget.toNanos();
                do {
                    passes++;
                    // live pages of the emptiest chunks older than the retention time, rewritten into a new chunk
                    boolean rewrote = rewrite(store, storeLock, fillRate, WRITE_LIMIT);
                    // on while a pass shows (more live data in the chunks, a shorter file), and while the chunks are mostly
                    // dead: there a pass frees many times its 256 KB, but the chunks it emptied count until the retention
                    // time has passed, so neither figure moves yet
                    boolean progressed = file.getChunksFillRate() > live || file.size() < size || (rewrote && live < fillRate / 2);
                    live = file.getChunksFillRate();
                    size = file.size();
                    if (!progressed) {
                        break;
                    }
                } while (System.nanoTime() < stopAt && !store.isClosed());
            }
            size = file.size();
            live = file.getChunksFillRate();
            quietVersion = store.getCurrentVersion();
            lastRunAt = System.nanoTime();
            Outcome outcome = new Outcome(sizeBefore, size, liveBefore, live, passes);
            LOG.debug("ledger compaction: {} -> {} bytes, live data in chunks {}% -> {}%, {} passes", outcome.sizeBefore(),
                    outcome.sizeAfter(), outcome.liveBefore(), outcome.liveAfter(), outcome.passes());
            return outcome;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the ledger database: " + e.getMessage(), e);
        }
    }

    /**
     * What a quiet run rewrites, and where it goes: the chunks at the file's end whose live data fits the largest
     * gap before them (up to {@link #EVACUATE_LIMIT}), rewritten as one new chunk, which H2 puts into the first
     * free space large enough; or, when not even the last chunk's live data fits a gap, and either less than
     * {@value #SEND_TO_END_BELOW} % of the file is live data or all of it fits one rewrite, the oldest data
     * (H2's choice: the oldest and emptiest chunks), {@link #EVACUATE_LIMIT} of it, to the file's end, so that the
     * space it leaves takes the chunks at the end in the runs after. Null: nothing to do, because {@value #EVACUATE_BELOW} % or more of
     * the file is live data, no gap of {@value #EVACUATE_MIN_GAP} bytes lies between its chunks, or nothing
     * fits a gap in a file that is mostly data.
     * <p>
     * Once the work is done, the file is mostly gaps with chunks spread over it, some at its end. H2 cuts the
     * end only when no live chunk is there; moving them there by rewriting (their pages copied into a new chunk
     * by an ordinary commit, the old chunks dead) is safe where H2's own chunk move is not
     * ({@link LedgerCompaction above}). One chunk per rewrite: H2 would split a large rewrite into chunks of a
     * few MB, each holding again the pages above its rows, so that a third of each was dead soon after
     * (docs/ledger-storage.md).
     */
    static Evacuation evacuation(RandomAccessStore file, Layout layout) {
        if (file.size() <= 0 || (long) file.getFillRate() * file.getChunksFillRate() >= EVACUATE_BELOW * 100L
                || layout.largestGap() * BLOCK < EVACUATE_MIN_GAP || layout.chunks().isEmpty()) {
            return null;
        }
        return evacuation(layout, file.getFillRate() * file.getChunksFillRate() / 100, EVACUATE_LIMIT);
    }

    /** {@link #evacuation(RandomAccessStore, Layout)} once it is worth doing: rewrites of at most {@code limit} bytes. */
    static Evacuation evacuation(Layout layout, int liveShare, int limit) {
        List<Layout.Placed> chunks = layout.chunks();
        long[] gapUpTo = layout.gapsUpTo(); // where the chunks from each one to the end may go
        Set<Integer> tail = new HashSet<>();
        long liveBlocks = 0;
        long bytes = 0;
        for (int i = chunks.size() - 1; i >= 0; i--) {
            Layout.Placed c = chunks.get(i);
            long needed = liveBlocks + c.liveBlocks();
            // the rewritten chunk holds the live pages and the pages above them again: a tenth to spare
            // (one chunk whatever its size: it is one chunk already)
            if ((!tail.isEmpty() && bytes + c.liveMax() > limit) || needed * 10 > gapUpTo[i] * 9) {
                break;
            }
            tail.add(c.id());
            liveBlocks = needed;
            bytes += c.liveMax();
        }
        if (!tail.isEmpty()) {
            return new Evacuation(tail, bytes);
        }
        // all the data as one piece, or a file of mostly gaps: the space the data leaves takes the end's chunks after
        return liveShare < SEND_TO_END_BELOW || layout.live() <= limit ? new Evacuation(Set.of(), limit) : null;
    }

    /**
     * A quiet run's rewrite: these chunks (their live pages) to wherever H2 puts the new chunk; or, when none is
     * named, {@code bytes} of the oldest data, H2's choice.
     */
    record Evacuation(Set<Integer> chunks, int bytes) {
        Evacuation(Set<Integer> chunks, long bytes) {
            this(chunks, (int) Math.min(Integer.MAX_VALUE, bytes));
        }
    }

    /** Where the chunks lie, from H2's layout map, in the file's order (what it says is derived from them). */
    record Layout(List<Placed> chunks) {

        /** One chunk: its id, first block, length in blocks, and H2's maximum length of all its pages and of the live ones. */
        record Placed(int id, long block, long length, long max, long liveMax) {
            /** The blocks its live pages take, in the proportion of their H2 length. */
            long liveBlocks() {
                return max <= 0 ? length : (long) Math.ceil((double) length * liveMax / max);
            }
        }

        static Layout of(MVStore store) {
            List<Placed> chunks = new ArrayList<>();
            for (Map.Entry<String, String> e : store.getLayoutMap().entrySet()) {
                if (e.getKey().startsWith("chunk.")) {
                    Map<String, String> c = DataUtils.parseMap(e.getValue());
                    long max = DataUtils.readHexLong(c, "max", 0);
                    boolean dead = DataUtils.readHexLong(c, "livePages", 1) == 0;
                    chunks.add(new Placed((int) DataUtils.readHexLong(c, "chunk", 0), DataUtils.readHexLong(c, "block", 0),
                            DataUtils.readHexLong(c, "len", 0), max, dead ? 0 : DataUtils.readHexLong(c, "liveMax", max)));
                }
            }
            chunks.sort(Comparator.comparingLong(Placed::block));
            return new Layout(List.copyOf(chunks));
        }

        /** For each chunk, the largest gap before it (the file's header and the space between it and the one before count), in blocks. */
        long[] gapsUpTo() {
            long[] gaps = new long[chunks.size()];
            long end = 2; // the file's header
            long largest = 0;
            for (int i = 0; i < chunks.size(); i++) {
                Placed c = chunks.get(i);
                largest = Math.max(largest, c.block() - end);
                gaps[i] = largest;
                end = Math.max(end, c.block() + c.length());
            }
            return gaps;
        }

        /** The largest gap between two chunks (blocks). */
        long largestGap() {
            long[] gaps = gapsUpTo();
            return gaps.length == 0 ? 0 : gaps[gaps.length - 1];
        }

        /** H2's maximum length of all the chunks' pages (bytes). */
        long maxLength() {
            return chunks.stream().mapToLong(Placed::max).sum();
        }

        /** H2's maximum length of the live pages of all the chunks (bytes). */
        long live() {
            return chunks.stream().mapToLong(Placed::liveMax).sum();
        }

        /**
         * The blocks of the chunks that hold no live page any more (H2 frees them at its next commit). The newest
         * chunk the map lists (it lists a chunk from the commit after it on) may hold no live page, yet a commit of
         * nothing does not free it: counted, a quiet ledger committed nothing 20 runs in a row (in a replay of a
         * 100,000-command ledger).
         */
        long deadBlocks() {
            int newest = chunks.stream().mapToInt(Placed::id).max().orElse(-1);
            return chunks.stream().filter(c -> c.liveMax() == 0 && c.id() != newest).mapToLong(Placed::length).sum();
        }
    }

    /**
     * A commit of nothing: H2's store version (unused by the H2 database, which keeps its own in its
     * tables) written again as it is, so that H2 stores a chunk of a few KB, and with it frees the chunks
     * that died at least the retention time ago and cuts the file's end if nothing live is there.
     */
    private static void touch(MVStore store, ReentrantLock storeLock) {
        underStoreLock(storeLock, () -> {
            store.setStoreVersion(store.getStoreVersion());
            store.commit();
            return true;
        });
    }

    /**
     * Forces what was written to the file since the last call onto the disk ({@code fsync}, as H2's
     * {@code CHECKPOINT SYNC}), called from the {@code ledger-sync} route every
     * {@code bridge.db.sync-interval}. Commits are in the file (the operating system's cache) at
     * once; this bounds how long the disk may lag behind them, which is what lets the ledger run
     * with a short {@code RETENTION_TIME} ({@link LedgerDatabase#durable}). Nothing is done when
     * nothing was committed since the last call, nor on any other database.
     *
     * @return whether the file was synced
     */
    public boolean sync() {
        try (Connection connection = dataSource.getConnection()) {
            MVStore store = fileStore(connection);
            if (store == null) {
                return false;
            }
            long version = store.getCurrentVersion();
            if (version == syncedVersion) {
                return false;
            }
            store.sync();
            syncedVersion = version;
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the ledger database: " + e.getMessage(), e);
        }
    }

    /**
     * One pass: H2 marks the live pages of the emptiest chunks below {@code fillRate} (up to {@code limit} of them)
     * for rewriting, and a commit writes them into a new chunk now, as H2's background writer would, not only with
     * the next commit. H2 compacts only if it gets its store lock within 10 ms, and while the engine works its
     * commits hold that lock one after the other (every such try of a run failed): queued for it as a commit is,
     * the pass gets its turn.
     *
     * @return whether anything was rewritten
     */
    private static boolean rewrite(MVStore store, ReentrantLock storeLock, int fillRate, int limit) {
        return underStoreLock(storeLock, () -> {
            boolean rewrote = store.compact(fillRate, limit);
            if (rewrote) {
                store.commit();
            }
            return rewrote;
        });
    }

    /**
     * A quiet run's rewrite (see {@link #evacuation}), stored as one chunk: H2 commits by itself whenever the
     * unsaved pages pass its auto-commit memory ({@code autoCommitMemory}, about 19 MB of its in-memory
     * estimate, some 2.5 MB of file), which would split it; that bound is lifted for this rewrite and its
     * commit (the ledger is quiet, and the rewrite at most {@link #EVACUATE_LIMIT}).
     * Named chunks are rewritten through H2's own {@code FileStore.compactRewrite}, as its compaction does with
     * the chunks it picks. Where this H2 lacks those internals, it falls back on {@code MVStore.compact}.
     */
    static boolean rewriteAsOneChunk(MVStore store, ReentrantLock storeLock, Evacuation plan) {
        return underStoreLock(storeLock, () -> {
            H2Internals h2 = H2Internals.FOUND;
            int autoCommitMemory = h2 == null ? 0 : h2.liftAutoCommitMemory(store);
            try {
                boolean rewrote = plan.chunks().isEmpty() || h2 == null ? store.compact(100, plan.bytes())
                        : h2.rewrite(store, plan.chunks());
                if (rewrote) {
                    store.commit();
                }
                return rewrote;
            } finally {
                if (h2 != null) {
                    h2.restoreAutoCommitMemory(store, autoCommitMemory);
                }
            }
        });
    }

    /** The parts of H2 2.3.232's MVStore a quiet run's rewrite uses that H2 keeps private. */
    private record H2Internals(Field autoCommitMemory, Field serializationLock,
                               Method acceptChunkOccupancyChanges, Method timeSinceCreation,
                               Method compactRewrite) {

        /** This H2's; null if it has not all of them by these names. */
        static final H2Internals FOUND = find();

        private static H2Internals find() {
            try {
                Field memory = MVStore.class.getDeclaredField("autoCommitMemory");
                Field lock = FileStore.class.getDeclaredField("serializationLock");
                Method accept = FileStore.class.getDeclaredMethod("acceptChunkOccupancyChanges", long.class, long.class);
                Method time = FileStore.class.getDeclaredMethod("getTimeSinceCreation");
                Method rewrite = FileStore.class.getDeclaredMethod("compactRewrite", Set.class);
                for (AccessibleObject member : List.of(memory, lock, accept, time, rewrite)) {
                    member.setAccessible(true);
                }
                return new H2Internals(memory, lock, accept, time, rewrite);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        int liftAutoCommitMemory(MVStore store) {
            try {
                int before = autoCommitMemory.getInt(store);
                autoCommitMemory.setInt(store, Integer.MAX_VALUE / 4); // H2 multiplies it by 4 (requireStore): no overflow
                return before;
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        void restoreAutoCommitMemory(MVStore store, int value) {
            try {
                autoCommitMemory.setInt(store, value);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        /** What H2's {@code FileStore.rewriteChunks(int, int)} does, for the chunks named rather than those it would pick. */
        boolean rewrite(MVStore store, Set<Integer> chunks) {
            FileStore<?> file = store.getFileStore();
            try {
                ReentrantLock serialization = (ReentrantLock) serializationLock.get(file);
                serialization.lock();
                try {
                    MVStore.TxCounter usage = store.registerVersionUsage();
                    try {
                        acceptChunkOccupancyChanges.invoke(file, timeSinceCreation.invoke(file), store.getCurrentVersion());
                        return (int) compactRewrite.invoke(file, chunks) > 0;
                    } finally {
                        store.deregisterVersionUsage(usage);
                    }
                } finally {
                    serialization.unlock();
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }

    /** Runs {@code work} holding H2's store lock, queued for it as a commit is (without the lock: as H2 does, see {@link #storeLock}). */
    private static boolean underStoreLock(ReentrantLock storeLock, java.util.function.BooleanSupplier work) {
        if (storeLock != null) {
            storeLock.lock();
        }
        try {
            return work.getAsBoolean();
        } finally {
            if (storeLock != null) {
                storeLock.unlock();
            }
        }
    }

    /**
     * H2's store lock ({@code MVStore.storeLock}, private in H2 2.3.232), which every commit takes to write its
     * chunk; null if this H2 has none by that name (then a pass tries for it as H2 does, 10 ms).
     */
    static ReentrantLock storeLock(MVStore store) {
        try {
            Field field = MVStore.class.getDeclaredField("storeLock");
            field.setAccessible(true);
            return field.get(store) instanceof ReentrantLock lock ? lock : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A quiet run's copy of the whole file ({@link QuietCopy}), on this run's own connection: the pool suspended (no
     * connection is handed out), then, once no other is in use, {@code SHUTDOWN COMPACT}; every connection of the
     * pool, to the closed database, is evicted before the pool resumes, and the next one opens the new file.
     *
     * @return the file's size before and after; null when other connections stayed in use (nothing done)
     */
    private Sizes copyAlone(Connection connection, MVStore store, long live) throws SQLException {
        HikariPoolMXBean pool = copy.pool().getHikariPoolMXBean();
        if (pool.getActiveConnections() > 1) { // other than this run's own: not now (nobody waited)
            return null;
        }
        long started = System.nanoTime();
        pool.suspendPool();
        boolean closed = false;
        try {
            long giveUpAt = started + QuietCopy.WAIT.toNanos();
            while (pool.getActiveConnections() > 1) { // taken as the pool was suspended
                if (System.nanoTime() > giveUpAt) {
                    LOG.debug("ledger file not copied: {} other connections still in use", pool.getActiveConnections() - 1);
                    nextCopyAt = System.nanoTime() + QuietCopy.RETRY.toNanos();
                    return null;
                }
                Thread.sleep(5);
            }
            closed = true;
            Sizes sizes = shutdownCompact(connection, store);
            LOG.info("ledger file compacted while quiet: {} -> {} bytes ({} of live data) in {} ms, ledger calls waiting meanwhile",
                    sizes.before(), sizes.after(), live, (System.nanoTime() - started) / 1_000_000);
            return sizes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("the ledger file could not be read: " + e.getMessage(), e);
        } finally {
            if (closed) {
                // the database is closed (or closing, after a failure): no caller may get a connection to it
                copy.pool().evictConnection(connection);
                pool.softEvictConnections();
                nextCopyAt = System.nanoTime() + QuietCopy.SPACING.toNanos();
                quietVersion = -1; // a new store: its versions are its own
                syncedVersion = -1;
                touches = 0;
                evacuated = 0;
            }
            pool.resumePool();
        }
    }

    /** A file's size in bytes before and after a compaction. */
    public record Sizes(long before, long after) {
    }

    /**
     * As the bridge stops (nothing else uses the ledger any more): an H2 file ledger is copied page by page
     * into a new file, its pages compressed, which then replaces the old one ({@code SHUTDOWN COMPACT}: the
     * smallest file there is; a process killed meanwhile leaves the old file whole). The database is closed
     * afterwards, so this is the last use of {@code dataSource}. Nothing for any other database.
     *
     * @return the file's size before and after; null when there was no H2 file to compact
     */
    public static Sizes compactFully(DataSource dataSource) {
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            MVStore store = fileStore(connection);
            if (store == null) {
                return null;
            }
            return shutdownCompact(connection, store);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("the ledger file could not be compacted: " + e.getMessage(), e);
        } finally {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    // the database is closed by now: the pool cannot reset its handle to it, as expected
                }
            }
        }
    }

    /**
     * H2's {@code SHUTDOWN COMPACT} on {@code connection}: the database closed, its file copied into a new one that
     * replaces it. Every other session of the database is closed with it.
     */
    private static Sizes shutdownCompact(Connection connection, MVStore store) throws SQLException, IOException {
        Path file = Path.of(store.getFileStore().getFileName());
        long before = Files.size(file);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN COMPACT");
        }
        return new Sizes(before, Files.size(file));
    }

    /** The MVStore of an embedded H2 file database behind {@code connection}; null for anything else. */
    static MVStore fileStore(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(JdbcConnection.class)) {
            return null; // not H2
        }
        Session session = connection.unwrap(JdbcConnection.class).getSession();
        if (!(session instanceof SessionLocal local) || !local.getDatabase().isPersistent()) {
            return null; // an H2 server over TCP (its own process compacts), or in memory
        }
        MVStore store = local.getDatabase().getStore().getMvStore();
        FileStore<?> file = store.getFileStore();
        return file == null || file.isReadOnly() ? null : store;
    }
}
