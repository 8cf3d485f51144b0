package org.devicebridge.ledger;

import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.devicebridge.ledger.Ledger.ts;
import static org.devicebridge.ledger.Ledger.instant;

/**
 * The call log: every call the bridge made to a cloud ({@code bridge_call}), with its outcome and
 * the cloud's request id, as the result files, the health checks and the metrics read it. Call
 * listeners are told once the call's row commits ({@link Ledger#afterCommit}).
 */
public class CallLog {

    private final Ledger ledger;
    private final JdbcTemplate jdbc;
    private final List<CallListener> callListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public CallLog(Ledger ledger) {
        this.ledger = ledger;
        this.jdbc = ledger.jdbc();
    }

    /** Told of every call to a cloud as it is recorded (metrics). */
    public interface CallListener {
        void called(String operation, Integer httpStatus, long durationMs);
    }

    public void onCall(CallListener listener) {
        callListeners.add(listener);
    }

    private static final String INSERT_CALL = "INSERT INTO bridge_call (command_no, at, operation, http_status, vendor_request_id, "
            + "duration_ms, error) VALUES (" + Ledger.COMMAND_NO + ", ?, ?, ?, ?, ?, ?)";

    /** Records one call to a cloud and its outcome. {@code error} must already be free of secrets. */
    public void recordCall(String commandId, String operation, Integer httpStatus, String vendorRequestId, long durationMs,
                           String error) {
        ledger.afterCommit(() -> callListeners.forEach(l -> l.called(operation, httpStatus, durationMs)));
        jdbc.update(INSERT_CALL, commandId, ts(ledger.now()), operation, httpStatus, vendorRequestId, durationMs, error);
    }

    /** Records one call made for several commands at once (a chunk): a row per command, one call for the listeners. */
    public void recordCalls(List<String> commandIds, String operation, Integer httpStatus, String vendorRequestId, long durationMs,
                            String error) {
        ledger.afterCommit(() -> callListeners.forEach(l -> l.called(operation, httpStatus, durationMs)));
        Instant now = ledger.now();
        jdbc.batchUpdate(INSERT_CALL, commandIds.stream()
                .map(id -> new Object[] {id, ts(now), operation, httpStatus, vendorRequestId, durationMs, error}).toList());
    }

    public List<String> vendorRequestIds(String commandId) {
        return jdbc.queryForList("SELECT vendor_request_id FROM bridge_call WHERE command_no = " + Ledger.COMMAND_NO
                + " AND vendor_request_id IS NOT NULL ORDER BY id", String.class, commandId);
    }

    /** The vendor request ids of each of these commands (oldest first), in one query; a command without any is left out. */
    public java.util.Map<String, List<String>> vendorRequestIds(List<String> commandIds) {
        java.util.Map<String, List<String>> byCommand = new java.util.HashMap<>();
        if (commandIds.isEmpty()) {
            return byCommand;
        }
        // driven by the commands' primary key, each command's calls then by its number's index: written as
        // command_no IN (SELECT list_no ... WHERE id IN (?, ...)), H2 compared every id with each call row
        // (a fifth of the samples of a JFR run of the throughput bench)
        jdbc.query("SELECT c.id, k.vendor_request_id FROM bridge_command c JOIN bridge_call k ON k.command_no = c.list_no "
                        + "WHERE c.id IN (" + Ledger.marks(commandIds.size()) + ") AND k.vendor_request_id IS NOT NULL "
                        + "ORDER BY k.command_no, k.id",
                rs -> {
                    byCommand.computeIfAbsent(rs.getString(1), k -> new java.util.ArrayList<>()).add(rs.getString(2));
                }, commandIds.toArray());
        return byCommand;
    }

    public List<CallRecord> calls(String commandId) {
        return jdbc.query("SELECT at, operation, http_status, vendor_request_id, duration_ms, error FROM bridge_call "
                + "WHERE command_no = " + Ledger.COMMAND_NO + " ORDER BY id", (rs, i) -> new CallRecord(instant(rs, 1), rs.getString(2),
                (Integer) rs.getObject(3), rs.getString(4), rs.getLong(5), rs.getString(6)), commandId);
    }

    /** The newest call made by any of these operations: {@code http status (null: no answer), at}; empty if none. */
    public Optional<CallRecord> lastCall(List<String> operations) {
        String marks = Ledger.marks(operations.size());
        return jdbc.query("SELECT at, operation, http_status, vendor_request_id, duration_ms, error FROM bridge_call WHERE operation IN ("
                + marks + ") ORDER BY id DESC FETCH FIRST 1 ROWS ONLY", (rs, i) -> new CallRecord(instant(rs, 1), rs.getString(2),
                (Integer) rs.getObject(3), rs.getString(4), rs.getLong(5), rs.getString(6)), operations.toArray()).stream().findFirst();
    }
}
