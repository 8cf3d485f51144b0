package org.devicebridge;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The PostgreSQL that tests run against: {@code jdbc:postgresql://127.0.0.1:5432/test} as
 * {@code postgres} (trust auth), or {@code BRIDGE_TEST_PG_URL} / {@code BRIDGE_TEST_PG_USER} /
 * {@code BRIDGE_TEST_PG_PASSWORD}.
 * <p>
 * A test that needs it calls {@link #assumeAvailable()} first: it is skipped, with the reason,
 * when PostgreSQL is not reachable, and fails instead when {@code CI=true}. Each test class (or
 * test) works in a schema of its own ({@link #freshSchema()}, dropped with {@link #dropSchema}).
 */
public final class PostgresAvailability {

    private static String unreachable; // null: not checked yet; "": reachable; else why not

    private PostgresAvailability() {
    }

    public static String jdbcUrl() {
        return LocalServices.env("BRIDGE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    public static String user() {
        return LocalServices.env("BRIDGE_TEST_PG_USER", "postgres");
    }

    public static String password() {
        return LocalServices.env("BRIDGE_TEST_PG_PASSWORD", "");
    }

    /** Skips the calling test (or class) when PostgreSQL is not reachable; fails it instead when {@code CI=true}. */
    public static synchronized void assumeAvailable() {
        if (unreachable == null) {
            unreachable = probe();
        }
        LocalServices.skipOrFailUnlessReachable("PostgreSQL at " + jdbcUrl().replaceFirst("^jdbc:postgresql://", ""), unreachable);
    }

    /** The bridge's ledger settings for this PostgreSQL, in {@code schema}. */
    public static Map<String, String> ledgerIn(String schema) {
        return Map.of("bridge.db.url", jdbcUrl(), "bridge.db.user", user(), "bridge.db.password", password(), "bridge.db.schema", schema);
    }

    /** A new, unused schema name such as {@code ledger_test_3f9c2a1b7d4e}; Flyway creates the schema on first use. */
    public static String freshSchema() {
        return "ledger_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** Drops a schema made by a test, and everything in it. */
    public static void dropSchema(String schema) {
        if (!schema.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("not a test schema name: " + schema);
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop schema " + schema, e);
        }
    }

    private static String probe() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return "";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    /** A connection of the test's own to this PostgreSQL. */
    static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user());
        p.setProperty("password", password());
        p.setProperty("connectTimeout", "2");  // seconds
        p.setProperty("loginTimeout", "3");
        return DriverManager.getConnection(jdbcUrl(), p);
    }
}
