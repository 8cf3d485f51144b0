package org.devicebridge.ledger;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a ledger that cannot be reached (the database down, the network to it cut, no connection
 * within {@code bridge.db.connection-timeout}) from every other failure: the first is worth trying
 * again later ({@code 503} to a caller of the bridge's HTTP API), the second is a fault
 * ({@code 500}). Reads the whole cause chain for what the driver and the pool say, whatever Spring
 * or Camel wrapped it in: a connection exception (SQLSTATE class {@code 08}, or the JDBC connection
 * exception types), or no connection in time. A pool the bridge closed itself is no outage.
 */
public final class LedgerUnavailable {

    private LedgerUnavailable() {
    }

    /** Whether {@code failure}, or any of its causes, says the ledger database could not be reached. */
    public static boolean causedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // a rollback that failed (the connection went with the line) carries the failure that called for it
            if (t instanceof org.springframework.transaction.TransactionSystemException rollback
                    && rollback.getApplicationException() != null && causedBy(rollback.getApplicationException())) {
                return true;
            }
            if (t instanceof SQLTransientConnectionException      // the pool got no connection in time
                    || t instanceof SQLNonTransientConnectionException   // the connection is gone or refused
                    || t instanceof ConnectException
                    || t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
