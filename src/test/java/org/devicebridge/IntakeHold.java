package org.devicebridge;

import org.h2.api.Trigger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a bridge's intake in the middle of a file, on its in-memory H2 ledger: an H2 trigger
 * before each insert into {@code bridge_command} that stops the transaction writing the record of
 * sequence number {@code seq} until the test lets it go. The records before it are written and
 * committed (the intake writes in batches), the rest of the file is not read meanwhile: a file
 * "still being read" for as long as the test needs, however fast or slow the machine is. A fault
 * a test injects, not a wait for an outcome.
 * <p>
 * One hold per test JVM at a time ({@link #on} ... {@link #close}).
 */
public final class IntakeHold implements Trigger, AutoCloseable {

    private static volatile int holdAtSeq = -1;
    private static volatile CountDownLatch reached = new CountDownLatch(1);
    private static volatile CountDownLatch released = new CountDownLatch(1);

    private int seqColumn = -1;

    /** Public for H2, which makes one per trigger; tests use {@link #on}. */
    public IntakeHold() {
    }

    /** Holds the write of record {@code seq} (and of every record after it) on the bridge's ledger until {@link #close}. */
    static IntakeHold on(TestBridge bridge, int seq) {
        holdAtSeq = seq;
        reached = new CountDownLatch(1);
        released = new CountDownLatch(1);
        try (Connection c = DriverManager.getConnection(bridge.property("bridge.db.url"), "sa", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER intake_hold BEFORE INSERT ON bridge_command FOR EACH ROW CALL '"
                    + IntakeHold.class.getName() + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("could not hold the intake", e);
        }
        return new IntakeHold();
    }

    /** True once the intake came to the held record, and waits there. */
    boolean reached() {
        return reached.getCount() == 0;
    }

    /** Lets the intake go on. */
    @Override
    public void close() {
        holdAtSeq = -1;
        released.countDown();
    }

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        try (ResultSet columns = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
            int i = 0;
            while (columns.next()) {
                if ("seq".equals(columns.getString("COLUMN_NAME").toLowerCase(Locale.ROOT))) {
                    seqColumn = i;
                }
                i++;
            }
        }
        if (seqColumn < 0) {
            throw new SQLException("no seq column in " + tableName);
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        int hold = holdAtSeq;
        if (hold >= 0 && newRow != null && ((Number) newRow[seqColumn]).intValue() >= hold) {
            reached.countDown();
            try {
                // bounded, so that a test failing meanwhile cannot hang the JVM
                if (!released.await(2, TimeUnit.MINUTES)) {
                    throw new SQLException("intake held for 2 minutes and never let go");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while held", e);
            }
        }
    }
}
