package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.HandClock;
import org.devicebridge.fanout.SubscriberLedger;
import org.devicebridge.inbound.WebhookEventIds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.devicebridge.ledger.CommandState.CANCELLED;
import static org.devicebridge.ledger.CommandState.INITIATED;
import static org.devicebridge.ledger.CommandState.QUEUED;
import static org.devicebridge.ledger.CommandState.SUCCESS;

/**
 * What the ledger's retention removes and what it keeps, whatever database holds the ledger. The
 * clock is moved by hand: nothing waits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LedgerRetentionContractTest {

    static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");
    static final Duration RETENTION = Duration.ofDays(30);
    static final String OTHER_PROCESSOR = "application-orders";

    abstract HikariDataSource openDatabase();

    abstract void closeDatabase(HikariDataSource dataSource);

    private HikariDataSource dataSource;
    HandClock clock;
    Ledger ledger;
    CommandStore commands;
    CallLog callLog;
    LedgerReads reads;
    LedgerTransitions transitions;
    JdbcTemplate jdbc;

    @AfterAll
    void close() {
        if (dataSource != null) {
            closeDatabase(dataSource);
        }
    }

    @BeforeEach
    void emptyLedger() {
        if (dataSource == null) {
            dataSource = openDatabase(); // here, not in @BeforeAll: a skip then shows on every test, with its reason
        }
        jdbc = new JdbcTemplate(dataSource);
        for (String table : List.of("bridge_webhook_delivery", "bridge_subscriber", "bridge_finished_request", "bridge_call",
                "bridge_transition", "bridge_intake_error", "bridge_command", "bridge_request", "CAMEL_MESSAGEPROCESSED")) {
            jdbc.update("DELETE FROM " + table);
        }
        clock = new HandClock(T0);
        ledger = new Ledger(dataSource, clock);
        commands = new CommandStore(ledger);
        callLog = new CallLog(ledger);
        reads = new LedgerReads(ledger);
        transitions = new LedgerTransitions(ledger);
    }

    LedgerRetention retention() {
        return new LedgerRetention(dataSource, clock, RETENTION, List.of(WebhookEventIds.ACCESS_CLOUD));
    }

    // ---------------------------------------------------------------- what goes, what stays

    @Test
    void removesAReportedRequestPastTheRetentionWithEverythingThatHangsOnIt() {
        subscriber("ops");
        String old = finishedRequest("old", 2, true);
        commands.recordIntakeError(old, 9, "line 9", "malformed JSON", "{nope");
        commands.recordInternal(commands.command("old-1").orElseThrow(), "old-1-replaced", "v-1", CANCELLED, "abandoned and replaced");
        delivered(old);
        cursorsPastEverything("ops");

        clock.advance(Duration.ofDays(2));
        String recent = finishedRequest("recent", 1, true);
        cursorsPastEverything("ops");
        clock.advance(RETENTION.minus(Duration.ofDays(1)));   // old: 31 days, recent: 29

        LedgerRetention.Purged purged = retention().purge();

        assertThat(purged.requests()).isEqualTo(1);
        assertThat(purged.commands()).isEqualTo(3);          // two and the internal one
        assertThat(purged.intakeErrors()).isEqualTo(1);
        assertThat(rowsOf(old)).containsOnlyKeys("request", "commands", "transitions", "calls", "intake errors",
                "finished", "deliveries").allSatisfy((table, n) -> assertThat(n).as(table).isZero());
        assertThat(rowsOf(recent)).containsEntry("request", 1).containsEntry("commands", 1).containsEntry("transitions", 3)
                .containsEntry("calls", 2).containsEntry("finished", 1);
    }

    @Test
    void keepsUnreportedAndUnfinishedRequestsHoweverOld() {
        String unreported = finishedRequest("unreported", 1, false);
        commands.openRequest("open", "file", "open.json");
        commands.recordCommands(List.of(command("open", 1)));
        commands.completeIntake("open");
        commands.openRequest("still-reading", "file", "still-reading.json");
        clock.advance(Duration.ofDays(400));

        LedgerRetention.Purged purged = retention().purge();

        assertThat(purged.requests()).isZero();
        assertThat(rowsOf(unreported)).containsEntry("request", 1).containsEntry("commands", 1).containsEntry("transitions", 3);
        assertThat(rowsOf("open")).containsEntry("request", 1).containsEntry("commands", 1);
        assertThat(rowsOf("still-reading")).containsEntry("request", 1);
    }

    @Test
    void keepsARequestUntilEveryWebhookSubscriberAndEventStreamHasBeenSentAllItsEvents() {
        subscriber("ops");
        subscriber("stream:bridge.events");
        String request = finishedRequest("r", 2, true);
        cursorsPastEverything("ops");
        long lastTransition = jdbc.queryForObject("SELECT MAX(id) FROM bridge_transition", Long.class);
        long summary = jdbc.queryForObject("SELECT id FROM bridge_finished_request WHERE request_id = ?", Long.class, request);
        clock.advance(RETENTION.plusDays(1));

        cursor("stream:bridge.events", lastTransition - 1, 0);          // its last transition not sent yet
        assertThat(retention().purge()).extracting(LedgerRetention.Purged::requests, LedgerRetention.Purged::heldBack)
                .containsExactly(0, 1);
        assertThat(rowsOf(request)).containsEntry("request", 1).containsEntry("transitions", 6);

        cursor("stream:bridge.events", lastTransition, summary - 1);     // every transition, but not its summary
        assertThat(retention().purge().requests()).isZero();
        assertThat(rowsOf(request)).containsEntry("request", 1);

        cursor("stream:bridge.events", lastTransition, summary);         // everything
        assertThat(retention().purge()).extracting(LedgerRetention.Purged::requests, LedgerRetention.Purged::heldBack)
                .containsExactly(1, 0);
        assertThat(rowsOf(request)).containsEntry("request", 0).containsEntry("transitions", 0);
    }

    @Test
    void keepsARequestWhoseSummaryTheSubscribersHaveNotBeenToldOfYet() {
        subscriber("ops");
        String request = finishedRequest("r", 1, true);
        // finished by a version that did not note it in bridge_finished_request (the subscribers' catch-up notes it later)
        jdbc.update("DELETE FROM bridge_finished_request WHERE request_id = ?", request);
        cursorsPastEverything("ops");
        clock.advance(RETENTION.plusDays(1));

        assertThat(retention().purge().requests()).isZero();
        assertThat(rowsOf(request)).containsEntry("request", 1);
    }

    @Test
    void withoutWebhookSubscribersOrEventStreamsNothingWaitsForThem() {
        String request = finishedRequest("r", 1, true);
        clock.advance(RETENTION.plusSeconds(1));

        assertThat(retention().purge().requests()).isEqualTo(1);
        assertThat(rowsOf(request)).containsEntry("request", 0).containsEntry("commands", 0);
    }

    @Test
    void theTransitionsOfInternalCommandsAreNeverSentSoTheyHoldNothingBack() {
        subscriber("ops");
        String request = finishedRequest("r", 1, true);
        cursorsPastEverything("ops");
        // the bridge's own housekeeping command, recorded after the cursor moved: never announced
        commands.recordInternal(commands.command("r-1").orElseThrow(), "r-1-replaced", "v-9", CANCELLED, "abandoned and replaced");
        clock.advance(RETENTION.plusDays(1));

        assertThat(retention().purge().requests()).isEqualTo(1);
        assertThat(rowsOf(request)).containsEntry("commands", 0).containsEntry("transitions", 0);
    }

    @Test
    void aBacklogOfManyChunksGoesInOneRunChunkByChunk() {
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            old.add(finishedRequest("old-" + i, i == 3 ? 8 : 1, true));
            clock.advance(Duration.ofMinutes(1));
        }
        for (int seq = 100; seq < 104; seq++) {
            commands.recordIntakeError("old-3", seq, "line " + seq, "unreadable", "x");
        }
        clock.advance(RETENTION);
        String recent = finishedRequest("recent", 2, true);

        LedgerRetention.Purged purged = new LedgerRetention(dataSource, clock, RETENTION, List.of(), 3).purge();

        assertThat(purged.requests()).isEqualTo(7);
        assertThat(purged.commands()).isEqualTo(14);
        assertThat(purged.intakeErrors()).isEqualTo(4);
        for (String request : old) {
            assertThat(rowsOf(request)).as(request).allSatisfy((table, n) -> assertThat(n).as(table).isZero());
        }
        assertThat(rowsOf(recent)).containsEntry("request", 1).containsEntry("commands", 2);
    }

    @Test
    void theWebhookReceiversEventIdsGoAfterTheRetentionThoseOfOtherProcessorsStay() {
        eventId(WebhookEventIds.ACCESS_CLOUD, "evt-old", T0);
        eventId(OTHER_PROCESSOR, "order-old", T0);
        clock.advance(RETENTION.plusDays(1));
        eventId(WebhookEventIds.ACCESS_CLOUD, "evt-new", clock.instant().minus(Duration.ofDays(1)));

        assertThat(retention().purge().eventIds()).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT messageId FROM CAMEL_MESSAGEPROCESSED ORDER BY messageId", String.class))
                .containsExactly("evt-new", "order-old");
    }

    @Test
    void aSecondRunRightAfterRemovesNothingMore() {
        finishedRequest("r", 2, true);
        clock.advance(RETENTION.plusDays(1));
        assertThat(retention().purge().requests()).isEqualTo(1);

        assertThat(retention().purge()).isEqualTo(new LedgerRetention.Purged(0, 0, 0, 0, 0));
    }

    // ---------------------------------------------------------------- arrange

    /** A request of {@code commands} commands, each sent (two calls) and ended Command Success, finished now; reported if asked. */
    String finishedRequest(String id, int count, boolean reported) {
        commands.openRequest(id, "file", id + ".json");
        List<NewCommand> all = new ArrayList<>();
        for (int seq = 1; seq <= count; seq++) {
            all.add(command(id, seq));
        }
        commands.recordCommands(all);
        commands.completeIntake(id);
        for (NewCommand c : all) {
            callLog.recordCall(c.id(), "access.create", 201, "x-" + c.id() + "-1", 40, null);
            transitions.move(c.id(), new StateChange(INITIATED, "AWAITING_DATA", "x-" + c.id() + "-1", null));
            callLog.recordCall(c.id(), "access.status", 200, "x-" + c.id() + "-2", 40, null);
            transitions.move(c.id(), new StateChange(SUCCESS, "RESOLVED", "x-" + c.id() + "-2", null));
        }
        assertThat(commands.requestsJustFinished()).contains(id);
        commands.markFinished(id);
        if (reported) {
            commands.markReported(id);
        }
        return id;
    }

    static NewCommand command(String requestId, int seq) {
        return new NewCommand(requestId + "-" + seq, requestId, seq, 0, "line " + seq, "a" + seq, "credentials", "door-" + seq, QUEUED,
                "{\"credentials\":[]}", "CREATE", T0, null, null);
    }

    /** A webhook subscriber or event stream, as the fan-out registers it. */
    void subscriber(String name) {
        new SubscriberLedger(dataSource).register(name, "https://hooks.example.com/" + name, clock.instant(), clock.instant());
    }

    /** The delivery log's rows of the request's first transition and of its summary, as a delivered webhook leaves them. */
    void delivered(String requestId) {
        long transition = jdbc.queryForObject("SELECT MIN(t.id) FROM bridge_transition t JOIN bridge_command c ON c.list_no = t.command_no "
                + "WHERE c.request_id = ?", Long.class, requestId);
        jdbc.update("INSERT INTO bridge_webhook_delivery (subscriber, event_id, event_type, transition_id, request_id, attempts, "
                        + "first_attempt_at, last_attempt_at, delivered_at) VALUES ('ops', ?, 'COMMAND_STATUS_UPDATED', ?, NULL, 1, ?, ?, ?)",
                "transition-" + transition, transition, Ledger.ts(clock.instant()), Ledger.ts(clock.instant()), Ledger.ts(clock.instant()));
        jdbc.update("INSERT INTO bridge_webhook_delivery (subscriber, event_id, event_type, transition_id, request_id, attempts, "
                        + "first_attempt_at, last_attempt_at, delivered_at) VALUES ('ops', ?, 'REQUEST_SUMMARY', NULL, ?, 1, ?, ?, ?)",
                "summary-" + requestId, requestId, Ledger.ts(clock.instant()), Ledger.ts(clock.instant()), Ledger.ts(clock.instant()));
    }

    void cursorsPastEverything(String name) {
        cursor(name, jdbc.queryForObject("SELECT COALESCE(MAX(id), 0) FROM bridge_transition", Long.class),
                jdbc.queryForObject("SELECT COALESCE(MAX(id), 0) FROM bridge_finished_request", Long.class));
    }

    void cursor(String name, long lastTransition, long lastFinished) {
        assertThat(jdbc.update("UPDATE bridge_subscriber SET last_transition_id = ?, last_finished_id = ? WHERE name = ?",
                lastTransition, lastFinished, name)).isEqualTo(1);
    }

    void eventId(String processor, String id, Instant at) {
        jdbc.update("INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt) VALUES (?, ?, ?)", processor, id,
                Timestamp.from(at));
    }

    /** How many rows of each table belong to the request. */
    Map<String, Integer> rowsOf(String requestId) {
        Map<String, Integer> rows = new LinkedHashMap<>();
        rows.put("request", count("SELECT COUNT(*) FROM bridge_request WHERE id = ?", requestId));
        rows.put("commands", count("SELECT COUNT(*) FROM bridge_command WHERE request_id = ?", requestId));
        rows.put("transitions", count("SELECT COUNT(*) FROM bridge_transition WHERE command_no IN (SELECT list_no FROM bridge_command WHERE id LIKE ?)",
                requestId + "-%"));
        rows.put("calls", count("SELECT COUNT(*) FROM bridge_call WHERE command_no IN (SELECT list_no FROM bridge_command WHERE id LIKE ?)",
                requestId + "-%"));
        rows.put("intake errors", count("SELECT COUNT(*) FROM bridge_intake_error WHERE request_id = ?", requestId));
        rows.put("finished", count("SELECT COUNT(*) FROM bridge_finished_request WHERE request_id = ?", requestId));
        rows.put("deliveries", count("SELECT COUNT(*) FROM bridge_webhook_delivery WHERE request_id = ? OR event_id LIKE 'transition-%' "
                + "AND transition_id NOT IN (SELECT id FROM bridge_transition)", requestId));
        return rows;
    }

    private int count(String sql, Object... args) {
        Integer n = jdbc.queryForObject(sql, Integer.class, args);
        return n == null ? 0 : n;
    }
}
