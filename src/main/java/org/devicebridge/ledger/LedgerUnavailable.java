package org.devicebridge.ledger;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a ledger that cannot be reached (the database down, the network to it cut, no connection
 * within {@code bridge.db.connection-timeout}) from every other failure: the first is worth trying
 * again later ({@code 503} to a caller of the bridge's HTTP API), the second is a fault
 * ({@code 500}). Reads the whole cause chain, as Spring, Camel and the pool each wrap the driver's
 * exception their own way.
 */
public final class LedgerUnavailable {

    private LedgerUnavailable() {
    }

    /** Whether {@code failure}, or any of its causes, says the ledger database could not be reached. */
    public static boolean causedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotCreateTransactionException
                    || t instanceof DataAccessResourceFailureException   // CannotGetJdbcConnectionException among them
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof SQLTransientConnectionException      // the pool gave no connection in time
                    || t instanceof SQLNonTransientConnectionException   // the connection is gone or refused
                    || t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;                                             // SQLSTATE class 08: connection exception
            }
        }
        return false;
    }
}
