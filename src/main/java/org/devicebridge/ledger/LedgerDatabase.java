package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.BadConfigurationException;
import org.flywaydb.core.Flyway;

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
        // the ledger's migrations, then the few that only one database needs (db/vendor/h2 holds
        // the H2 settings PostgreSQL has no equivalent of); their versions never clash with a shared one
        String vendor = isPostgres(dataSource) ? "postgresql" : "h2";
        var flyway = Flyway.configure().dataSource(dataSource)
                .locations("classpath:db/migration", "classpath:db/vendor/" + vendor);
        if (schema != null && !schema.isBlank()) {
            flyway.schemas(schema).createSchemas(true);
        }
        flyway.load().migrate();
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
     * sets it already (in any letter case):
     * <ul>
     * <li>{@code WRITE_DELAY=0}: H2 keeps a committed transaction in memory for up to half a second
     * by default; a killed process would lose it. The ledger's promise is "stored before the next
     * call", so every commit is written to the file at once.</li>
     * </ul>
     * {@code WRITE_DELAY=0} also stops H2's background writer, which is what would otherwise compact
     * the file while it is open (H2 writes every commit as a new chunk and never rewrites a chunk
     * that still holds a live page). Without compaction the file grows by some 50 KB per command for
     * ever, so the bridge compacts it itself: {@link LedgerCompaction}, every
     * {@code bridge.db.compact-interval}.
     * <p>
     * H2's other settings are left as they are; measured (bench/ledger-size.sh, docs/ledger-storage.md: what
     * the ledger keeps, and for how long) and not taken: a lower {@code RETENTION_TIME} (45 s: a chunk's
     * space is used again only once the chunk is that old, H2 assuming the disk has written its
     * buffers by then; lower, a power failure may leave a file pointing at overwritten data),
     * {@code COMPRESS=TRUE}
     * (some 40 % fewer bytes written, the data itself no smaller), {@code DEFRAG_ALWAYS} and
     * {@code MAX_COMPACT_TIME} (they act only when the database closes), a periodic
     * {@code CHECKPOINT} (no effect), and the columns' declared sizes (H2 stores a string's own length).
     * <p>
     * Other URLs (H2 in memory or over TCP, PostgreSQL) are returned unchanged.
     */
    static String durable(String url) {
        if (!isH2File(url)) {
            return url;
        }
        StringBuilder withSettings = new StringBuilder(url);
        for (Map.Entry<String, String> setting : H2_FILE_SETTINGS.entrySet()) {
            if (!h2Settings(url).containsKey(setting.getKey())) {
                withSettings.append(';').append(setting.getKey()).append('=').append(setting.getValue());
            }
        }
        return withSettings.toString();
    }

    /** What {@link #durable} adds to an H2 file URL, in this order. */
    static final Map<String, String> H2_FILE_SETTINGS = Map.of("WRITE_DELAY", "0");

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
