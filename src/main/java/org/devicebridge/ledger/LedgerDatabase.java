package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.BadConfigurationException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Opens the ledger's connection pool (HikariCP) and brings its schema up to date (Flyway,
 * migrations in {@code db/migration} on the classpath). H2 and PostgreSQL are both supported.
 */
public final class LedgerDatabase {

    private LedgerDatabase() {
    }

    /**
     * @param url      JDBC URL, e.g. {@code jdbc:h2:file:./data/ledger} or {@code jdbc:postgresql://127.0.0.1:5432/test}
     * @param schema   schema to create and use, or null/blank for the database default
     */
    public static HikariDataSource open(String url, String user, String password, String schema, int poolSize) {
        return open(url, user, password, schema, poolSize, null);
    }

    /**
     * @param connectionTimeout how long a ledger call waits for a connection before it fails (the database
     *                          unreachable, or every connection busy); null: the pool's default, 30 s
     */
    public static HikariDataSource open(String url, String user, String password, String schema, int poolSize,
                                        Duration connectionTimeout) {
        try {
            DriverManager.getDriver(url);
        } catch (SQLException e) {
            // the URL is not echoed: it may carry a password
            throw new BadConfigurationException("bridge.db.url", "no JDBC driver takes this URL; the bridge has H2 (jdbc:h2:...) "
                    + "and PostgreSQL (jdbc:postgresql://...)");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("ledger");
        config.setJdbcUrl(durable(url));
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        // an H2 file's quiet copy holds every ledger call back while it runs (LedgerCompaction.QuietCopy)
        config.setAllowPoolSuspension(isH2File(url));
        if (connectionTimeout != null) {
            config.setConnectionTimeout(connectionTimeout.toMillis());
        }
        if (schema != null && !schema.isBlank()) {
            // Flyway creates the schema, but H2 opens no connection in a schema that does not exist
            // yet: migrate on a schema-less pool, closed only once the real one is open (so an H2
            // in-memory database lives on)
            HikariConfig setupConfig = new HikariConfig();
            config.copyStateTo(setupConfig);
            setupConfig.setPoolName("ledger-setup");
            setupConfig.setMaximumPoolSize(2);
            try (HikariDataSource setup = new HikariDataSource(setupConfig)) {
                migrate(setup, schema);
                config.setSchema(schema);
                return new HikariDataSource(config);
            }
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            migrate(dataSource, schema);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return dataSource;
    }

    public static void migrate(DataSource dataSource, String schema) {
        migrations(dataSource, schema).load().migrate();
    }

    /**
     * The ledger's migrations, then the few that only one database needs (db/vendor/h2 holds the
     * H2 settings PostgreSQL has no equivalent of); their versions never clash with a shared one.
     */
    static FluentConfiguration migrations(DataSource dataSource, String schema) {
        String vendor = isPostgres(dataSource) ? "postgresql" : "h2";
        var flyway = Flyway.configure().dataSource(dataSource)
                .locations("classpath:db/migration", "classpath:db/vendor/" + vendor);
        if (schema != null && !schema.isBlank()) {
            flyway.schemas(schema).createSchemas(true);
        }
        return flyway;
    }

    /** Whether the ledger is on PostgreSQL (else H2). */
    public static boolean isPostgres(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the ledger database: " + e.getMessage(), e);
        }
    }

    /**
     * Creates Quartz's tables ({@code QRTZ_*}, for the clustered scheduler) in the ledger's
     * PostgreSQL database, from {@code db/quartz/postgresql}. They are versioned apart from the
     * ledger, in their own history table {@code bridge_quartz_schema_history}, so the ledger's
     * migrations stay the same on H2 and PostgreSQL and never share a version number with these;
     * and a ledger that never uses the JDBC job store never gets them.
     *
     * @param schema the ledger's schema, or null/blank for the database default
     */
    public static void migrateQuartzTables(DataSource dataSource, String schema) {
        var flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/quartz/postgresql")
                .table("bridge_quartz_schema_history")
                // the schema already holds the ledger: start this history at 0, before V1
                .baselineOnMigrate(true).baselineVersion("0");
        if (schema != null && !schema.isBlank()) {
            flyway.schemas(schema);
        }
        flyway.load().migrate();
    }

    /**
     * The settings the bridge adds to the URL of an embedded H2 file database, each unless the URL
     * sets it already (in any letter case); docs/ledger-storage.md says why, with the figures:
     * <ul>
     * <li>{@code WRITE_DELAY=0}: H2 keeps a committed transaction in memory for up to half a second
     * by default; a killed process would lose it. The ledger's promise is "stored before the next
     * call", so every commit is written to the file at once (a {@code write}, no {@code fsync}: the
     * operating system holds it, and a {@code kill -9} of the bridge cannot take it back). It also
     * stops H2's background writer, the part of H2 that compacts the file while it is open: the
     * bridge does that itself ({@link LedgerCompaction}).</li>
     * <li>{@code RETENTION_TIME=5000}: H2 writes every commit as a new chunk and overwrites an
     * unused chunk only once it was written this long ago (45 s by default), assuming the
     * operating system has put the writes on the disk by then; a file that lost newer writes in a
     * power failure then still finds the older chunks it falls back to. While work runs, that window
     * is most of the file (every commit of the last 45 s, tens of KB each). The bridge forces the
     * file to the disk itself every {@code bridge.db.sync-interval} (1 s, {@link LedgerCompaction#sync}),
     * so 5 s keeps H2's assumption true, with more margin than H2's own (45 s against the 35 s in
     * which Linux writes its cache).</li>
     * <li>{@code MAX_COMPACT_TIME=0}: H2 compacts the file for up to 200 ms as the database closes,
     * moving chunks, which the bridge's own compaction does not do (the corner case in
     * {@link LedgerCompaction}); cut off after its 200 ms it also left the file larger than before the
     * stop (4.7 MB to 5.8 MB for 2,000 finished commands). A graceful stop compacts the whole file
     * instead ({@code bridge.db.compact-on-stop}, {@link LedgerCompaction#compactFully}).</li>
     * <li>{@code DB_CLOSE_ON_EXIT=FALSE}: H2 closes the database in a JVM shutdown hook of its own by
     * default, which runs beside Camel's as the bridge is stopped ({@code SIGTERM}): steps still
     * finishing could meet a closed ledger, and the bridge's own close ({@code bridge.db.compact-on-stop}) found
     * nothing left to close. The bridge closes it, last, as its Camel context stops; a process that ends
     * without that loses nothing ({@code WRITE_DELAY=0}).</li>
     * <li>{@code CACHE_SIZE}: a quarter of the JVM's largest heap, at least H2's default of 16 MB.
     * With 16 MB the pages of 100,000 open commands (about 60 MB with their indexes) no longer fit,
     * and every claim read its rows back from the file: the dispatcher's cost grew with the backlog
     * (docs/engine.md).</li>
     * </ul>
     * Other URLs (H2 in memory or over TCP, PostgreSQL) are returned unchanged.
     */
    static String durable(String url) {
        return durable(url, Runtime.getRuntime().maxMemory());
    }

    /** {@link #durable(String)} in a JVM whose largest heap is {@code maxHeapBytes}. */
    static String durable(String url, long maxHeapBytes) {
        if (!isH2File(url)) {
            return url;
        }
        Map<String, String> settings = new LinkedHashMap<>(H2_FILE_SETTINGS);
        settings.put("CACHE_SIZE", Long.toString(cacheKilobytes(maxHeapBytes)));
        StringBuilder withSettings = new StringBuilder(url);
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            if (!h2Settings(url).containsKey(setting.getKey())) {
                withSettings.append(';').append(setting.getKey()).append('=').append(setting.getValue());
            }
        }
        return withSettings.toString();
    }

    /** What {@link #durable} adds to an H2 file URL, in this order (then {@code CACHE_SIZE}, which depends on the heap). */
    static final Map<String, String> H2_FILE_SETTINGS = orderedSettings("WRITE_DELAY", "0", "RETENTION_TIME", "5000",
            "MAX_COMPACT_TIME", "0", "DB_CLOSE_ON_EXIT", "FALSE");

    /**
     * The pool size when {@code bridge.db.pool-size} is not set: 32 connections for an embedded H2
     * file (sessions of this process, no server to share; with the default 100 access workers a pool
     * of 10 kept most steps queued for a connection, and handing connections over cost CPU: a
     * 10,000-action run went from 145 to 158 actions/s with 32, 166 with 100), 10 for a database
     * server, where several bridge instances share its connection limit (PostgreSQL allows 100 by default).
     */
    public static int defaultPoolSize(String url) {
        return isH2File(url) ? 32 : 10;
    }

    /** H2's page cache for a heap of {@code maxHeapBytes}, in KB: a quarter of it, at least H2's default of 16 MB. */
    static long cacheKilobytes(long maxHeapBytes) {
        long h2Default = 16 * 1024;
        return maxHeapBytes == Long.MAX_VALUE ? h2Default : Math.max(h2Default, maxHeapBytes / 4 / 1024);
    }

    private static Map<String, String> orderedSettings(String... keysAndValues) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            settings.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(settings);
    }

    /** An embedded H2 database in a file: {@code jdbc:h2:file:...}, or a path without a prefix ({@code jdbc:h2:./data/ledger}). */
    static boolean isH2File(String url) {
        if (!url.startsWith("jdbc:h2:")) {
            return false;
        }
        String rest = url.substring("jdbc:h2:".length()).toLowerCase(Locale.ROOT);
        return !(rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:") || rest.startsWith("zip:"));
    }

    /** The {@code ;KEY=value} settings of an H2 URL, keys in upper case. */
    static Map<String, String> h2Settings(String url) {
        Map<String, String> settings = new LinkedHashMap<>();
        String[] parts = url.split(";");
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String key = (eq < 0 ? parts[i] : parts[i].substring(0, eq)).trim().toUpperCase(Locale.ROOT);
            if (!key.isEmpty()) {
                settings.put(key, eq < 0 ? "" : parts[i].substring(eq + 1));
            }
        }
        return settings;
    }
}
