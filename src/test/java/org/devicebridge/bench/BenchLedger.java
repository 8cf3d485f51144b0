package org.devicebridge.bench;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.access.AccessCloudAdapter;
import org.devicebridge.access.CredentialsActionPlanner;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerDatabase;
import org.devicebridge.ledger.NewCommand;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fills a ledger with open access commands quickly, the way the intake leaves them: the schema from
 * the bridge's own Flyway migrations ({@link LedgerDatabase#open}), a request, its commands and
 * their first transitions through {@link Ledger#recordCommands} (batched inserts), the intake
 * marked complete. The ledger is closed again before a bridge opens it.
 */
final class BenchLedger {

    private static final int CHUNK = 5_000;

    private BenchLedger() {
    }

    /**
     * @param nextAttemptAt when the first step (create) is due: now for a backlog, far ahead for an idle ledger
     * @param deadline      the commands' deadline
     */
    static void seed(String url, String user, String schema, String requestId, List<BenchActions.Action> actions,
                     Instant nextAttemptAt, Instant deadline) {
        try (HikariDataSource ds = LedgerDatabase.open(url, user, "", schema, 2)) {
            Ledger ledger = new Ledger(ds, Clock.systemUTC());
            ledger.openRequest(requestId, "file", requestId + ".json");
            List<NewCommand> chunk = new ArrayList<>(CHUNK);
            for (int i = 0; i < actions.size(); i++) {
                BenchActions.Action a = actions.get(i);
                chunk.add(new NewCommand(ActionIntake.commandId(requestId, i, 0), requestId, i, 0, "actions[" + i + "]",
                        "a-" + i, CredentialsActionPlanner.KIND, a.device(), CommandState.QUEUED, a.payload(),
                        AccessCloudAdapter.CREATE, nextAttemptAt, deadline, null));
                if (chunk.size() == CHUNK || i == actions.size() - 1) {
                    ledger.recordCommands(chunk);
                    chunk.clear();
                }
            }
            ledger.completeIntake(requestId);
        }
    }

    /** Moves every open command's next step and deadline (a seeded backlog becomes an idle ledger, or due at once). */
    static int reschedule(String url, String user, String schema, Instant nextAttemptAt, Instant deadline) {
        try (HikariDataSource ds = LedgerDatabase.open(url, user, "", schema, 2)) {
            return new JdbcTemplate(ds).update("UPDATE bridge_command SET next_attempt_at = ?, deadline_at = ? WHERE finished_at IS NULL",
                    java.time.OffsetDateTime.ofInstant(nextAttemptAt, java.time.ZoneOffset.UTC),
                    java.time.OffsetDateTime.ofInstant(deadline, java.time.ZoneOffset.UTC));
        }
    }

    /** Commands per state, and how many are not final, in a ledger no bridge holds open (H2) or any (PostgreSQL). */
    static Map<String, Integer> states(String url, String user, String schema) {
        try (HikariDataSource ds = LedgerDatabase.open(url, user, "", schema, 2)) {
            Map<String, Integer> out = new TreeMap<>();
            new JdbcTemplate(ds).query("SELECT state, COUNT(*) FROM bridge_command WHERE internal = FALSE GROUP BY state",
                    rs -> {
                        out.put(rs.getString(1), rs.getInt(2));
                    });
            return out;
        }
    }
}
