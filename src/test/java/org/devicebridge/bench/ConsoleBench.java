package org.devicebridge.bench;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.ConsoleReads;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerDatabase;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one poll of the operator console costs over a big ledger (bench/console.sh): an H2 file
 * with a request of {@code big} commands (a third of them final) beside {@code small} requests of
 * ten and a call log, then each of the console's reads timed (median and worst of 20), cold (a new
 * {@link ConsoleReads}, nothing cached) and warm; and H2's plan of each query, to show its index.
 */
public final class ConsoleBench {

    private ConsoleBench() {
    }

    public static void main(String[] args) throws Exception {
        int big = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int small = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path dir = Files.createTempDirectory("console-bench");
        String url = "jdbc:h2:file:" + dir.resolve("ledger") + ";QUERY_CACHE_SIZE=0"; // every read really read, not answered from H2's cache
        Instant later = Instant.now().plus(Duration.ofDays(1));
        long seeding = System.nanoTime();
        for (int r = 0; r < small; r++) {
            BenchLedger.seed(url, "sa", null, "small-" + r, BenchActions.make("s" + r, 10), later, later);
        }
        BenchLedger.seed(url, "sa", null, "big", BenchActions.make("door", big), later, later); // the newest: on the first page
        try (HikariDataSource ds = LedgerDatabase.open(url, "sa", "", null, 2)) {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            jdbc.update("UPDATE bridge_command SET state = ?, finished_at = ?, queue_rank = 2, next_attempt_at = NULL "
                    + "WHERE request_id = 'big' AND MOD(seq, 3) = 0", CommandState.SUCCESS.label(), now);
            jdbc.update("INSERT INTO bridge_call (command_no, at, operation, http_status, vendor_request_id, duration_ms) "
                    + "SELECT list_no, ?, 'create-action', 201, 'v-' || seq, MOD(seq, 400) FROM bridge_command WHERE request_id = 'big' "
                    + "AND seq < 20000", now);
            System.out.printf("seeded %d + %d x 10 commands in %.1f s (%s)%n", big, small, (System.nanoTime() - seeding) / 1e9, dir);

            Ledger ledger = new Ledger(ds, Clock.systemUTC());
            ConsoleReads.CommandFilter all = new ConsoleReads.CommandFilter(List.of(), null, null, null, null);
            ConsoleReads.CommandFilter queued = new ConsoleReads.CommandFilter(List.of(CommandState.QUEUED), null, null, null, null);
            ConsoleReads.CommandFilter device = new ConsoleReads.CommandFilter(List.of(), "door-054321", null, null, null);
            time("requests page (25, newest first), cold", () -> new ConsoleReads(ledger).requests(null, null, null, 25));
            ConsoleReads warm = new ConsoleReads(ledger);
            warm.requests(null, null, null, 25);
            time("requests page (25), warm: nothing moved", () -> warm.requests(null, null, null, 25));
            time("big request's progress, cold", () -> new ConsoleReads(ledger).request("big"));
            warm.request("big");
            time("big request's progress, warm", () -> warm.request("big"));
            time("big request, commands 1-50", () -> warm.commands("big", all, ConsoleReads.Place.FIRST, 50));
            time("big request, commands from record 50,000", () -> warm.commands("big", all, new ConsoleReads.Place(50_000, 0), 50));
            time("big request, state Queued, first 50", () -> warm.commands("big", queued, ConsoleReads.Place.FIRST, 50));
            time("big request, one device", () -> warm.commands("big", device, ConsoleReads.Place.FIRST, 50));
            time("clouds: work not final (credentials), counted", () -> new ConsoleReads(ledger).backlog("credentials"));
            time("clouds: work not final, within 5 s of a count", () -> warm.backlog("credentials"));
            time("clouds: last 2000 calls", () -> warm.recentCalls(2000));

            for (String sql : List.of(
                    "SELECT * FROM bridge_request ORDER BY created_at DESC, id DESC FETCH FIRST 25 ROWS ONLY",
                    "SELECT state, invalid, COUNT(*) FROM bridge_command WHERE request_id = 'big' AND internal = FALSE GROUP BY state, invalid",
                    "SELECT id FROM bridge_command WHERE request_id = 'big' AND seq >= 50000 AND NOT (seq = 50000 AND position < 0) "
                            + "AND internal = FALSE AND state IN ('Command Queued') ORDER BY request_id, seq, position FETCH FIRST 51 ROWS ONLY",
                    "SELECT queue_rank, COUNT(*) FROM bridge_command WHERE kind = 'credentials' AND queue_rank < 2 GROUP BY queue_rank",
                    "SELECT at FROM bridge_call WHERE id > 18000 ORDER BY id")) {
                System.out.println("plan: " + String.join(" ", jdbc.queryForList("EXPLAIN " + sql, String.class)).replaceAll("\\s+", " "));
            }
        }
    }

    private static void time(String what, Supplier<?> read) {
        long[] ms = new long[20];
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            read.get();
            ms[i] = (System.nanoTime() - t) / 1_000;
        }
        Arrays.sort(ms);
        System.out.printf("%-45s median %7.2f ms   worst %7.2f ms%n", what, ms[ms.length / 2] / 1000.0, ms[ms.length - 1] / 1000.0);
    }
}
