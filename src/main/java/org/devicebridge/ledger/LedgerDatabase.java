package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

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
        HikariConfig config = new HikariConfig();
        config.setPoolName("ledger");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        if (schema != null && !schema.isBlank()) {
            config.setSchema(schema);
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
}
