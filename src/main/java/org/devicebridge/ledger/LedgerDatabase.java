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
        var flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration");
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
     * H2 keeps a committed transaction in memory for up to half a second by default
     * ({@code WRITE_DELAY}); a killed process would lose it. The ledger's promise is "stored before
     * the next call", so an H2 file database is opened with {@code WRITE_DELAY=0} unless the URL
     * says otherwise.
     */
    static String durable(String url) {
        if (url.startsWith("jdbc:h2:file:") && !url.toUpperCase().contains("WRITE_DELAY")) {
            return url + ";WRITE_DELAY=0";
        }
        return url;
    }
}
