package org.devicebridge.ledger;

import org.springframework.jdbc.core.JdbcTemplate;

/** Rows written straight into a test's ledger: a request and its commands, with only the columns a test needs. */
public final class LedgerRows {

    private LedgerRows() {
    }

    /** A request taken in from a file; finished now, or not yet. */
    public static void request(JdbcTemplate jdbc, String id, boolean finished) {
        jdbc.update("INSERT INTO bridge_request (id, source, created_at, finished_at) VALUES (?, 'file', CURRENT_TIMESTAMP, "
                + (finished ? "CURRENT_TIMESTAMP" : "NULL") + ")", id);
    }

    /** Credentials commands of the request, one per id, on the devices {@code door-<id>}. */
    public static void commands(JdbcTemplate jdbc, String requestId, String state, String phase, String... ids) {
        for (String id : ids) {
            jdbc.update("INSERT INTO bridge_command (id, request_id, seq, kind, device, state, phase, created_at, updated_at) "
                    + "VALUES (?, ?, 0, 'credentials', ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", id, requestId, "door-" + id, state, phase);
        }
    }
}
