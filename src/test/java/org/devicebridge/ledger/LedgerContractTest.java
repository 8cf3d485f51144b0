package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.HandClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.devicebridge.ledger.CommandState.ACKNOWLEDGED;
import static org.devicebridge.ledger.CommandState.CANCELLED;
import static org.devicebridge.ledger.CommandState.FAILURE;
import static org.devicebridge.ledger.CommandState.INITIATED;
import static org.devicebridge.ledger.CommandState.IN_PROGRESS;
import static org.devicebridge.ledger.CommandState.QUEUED;
import static org.devicebridge.ledger.CommandState.SCHEDULED;
import static org.devicebridge.ledger.CommandState.SUCCESS;
import static org.devicebridge.ledger.CommandState.TIMEOUT;

/**
 * What the ledger promises, whatever database holds it. Each subclass opens one database
 * ({@link #openDatabase()}, before its first test) for all its tests; every test starts from empty
 * tables and a clock it moves itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LedgerContractTest {

    static final String KIND = "credentials";
    static final Instant T0 = Instant.parse("2026-03-10T09:15:30.123456Z");

    /** The ledger database for this class, migrated by {@link LedgerDatabase#open}. */
    abstract HikariDataSource openDatabase();

    /** Closes what {@link #openDatabase()} opened and removes what it created. */
    abstract void closeDatabase(HikariDataSource dataSource);

    private HikariDataSource dataSource;
    HandClock clock;
    Ledger ledger;
    WorkQueue queue;
    CommandStore commands;
    LedgerReads reads;
    LedgerTransitions transitions;

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
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        for (String table : List.of("bridge_call", "bridge_transition", "bridge_intake_error", "bridge_command", "bridge_finished_request", "bridge_request",
                "bridge_rate_slot", "bridge_rate_limit", "bridge_device_slot")) {
            jdbc.update("DELETE FROM " + table);
        }
        clock = new HandClock(T0);
        ledger = new Ledger(dataSource, clock);
        queue = new WorkQueue(ledger);
        commands = new CommandStore(ledger);
        reads = new LedgerReads(ledger);
        transitions = new LedgerTransitions(ledger);
    }

    // ---------------------------------------------------------------- the clock

    @Test
    void theLedgersClockTicksInMicrosecondsAsTheDatabaseStoresTime() {
        clock.set(Instant.parse("2026-03-10T09:15:30.123456789Z")); // Java's clock on Linux has nanoseconds

        Instant now = ledger.now();

        assertThat(now).isEqualTo(Instant.parse("2026-03-10T09:15:30.123456Z"));
        // stored and read back it is the same time, not one rounded up past "now" (a row due now is due now)
        OffsetDateTime stored = new JdbcTemplate(dataSource).queryForObject("SELECT CAST(? AS TIMESTAMP WITH TIME ZONE)",
                OffsetDateTime.class, now.atOffset(ZoneOffset.UTC));
        assertThat(stored.toInstant()).isEqualTo(now);
    }

    // ---------------------------------------------------------------- rate limits

    static final Duration WINDOW = Duration.ofSeconds(10);
    static final Duration HOLD = Duration.ofMinutes(1);

    /** Reserves a slot for one call (work {@code call}) and sends it at once; answers whether the call went. */
    boolean call(RateLimiter limiter, String budget, int limit, int call) {
        RateLimiter.Reservation<Integer> r = limiter.reserve(budget, limit, WINDOW, HOLD, () -> List.of(call));
        return !r.isEmpty() && limiter.markSent(budget, r.slot());
    }

    @Test
    void rateLimitGrantsAtMostLimitCallsInAnyWindow() {
        RateLimiter limiter = new RateLimiter(ledger);
        List<Integer> granted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            if (call(limiter, "cloud:x", 3, i)) {
                granted.add(i);
            }
        }
        assertThat(granted).containsExactly(0, 1, 2);

        clock.advance(WINDOW);
        assertThat(call(limiter, "cloud:x", 3, 9)).isTrue();
    }

    @Test
    void rateLimitTakesNoSlotWhenThereIsNoWork() {
        RateLimiter limiter = new RateLimiter(ledger);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.reserve("cloud:y", 1, WINDOW, HOLD, List::<Integer>of).isEmpty()).isTrue();
        }
        assertThat(limiter.used("cloud:y", WINDOW)).isZero();
        assertThat(call(limiter, "cloud:y", 1, 1)).isTrue();
    }

    @Test
    void rateLimitMeasuresTheWindowFromWhenTheCallIsSentNotFromWhenItsWorkWasClaimed() {
        RateLimiter limiter = new RateLimiter(ledger);
        RateLimiter.Reservation<Integer> slow = limiter.reserve("cloud:s", 3, WINDOW, HOLD, () -> List.of(0));
        clock.advance(Duration.ofSeconds(4)); // the chunk's ledger writes before the call took 4 s
        assertThat(limiter.markSent("cloud:s", slow.slot())).isTrue();
        Instant firstSent = clock.instant();
        assertThat(call(limiter, "cloud:s", 3, 1)).isTrue();
        assertThat(call(limiter, "cloud:s", 3, 2)).isTrue();

        clock.set(T0.plus(WINDOW).plusMillis(1)); // a window after the claim, 6 s after the first call left
        assertThat(limiter.reserve("cloud:s", 3, WINDOW, HOLD, () -> List.of(3)).isEmpty())
                .as("a fourth call within a window of the first call's sending").isTrue();

        clock.set(firstSent.plus(WINDOW));
        assertThat(call(limiter, "cloud:s", 3, 3)).isTrue();
    }

    @Test
    void aReservedSlotCountsUntilItsCallIsSentHoweverLongThePreparationTakes() {
        RateLimiter limiter = new RateLimiter(ledger);
        RateLimiter.Reservation<Integer> slow = limiter.reserve("cloud:r", 1, WINDOW, HOLD, () -> List.of(0));

        clock.advance(WINDOW.multipliedBy(3));
        assertThat(limiter.reserve("cloud:r", 1, WINDOW, HOLD, () -> List.of(1)).isEmpty()).as("reserved, not sent yet").isTrue();
        assertThat(limiter.markSent("cloud:r", slow.slot())).isTrue();
        clock.advance(WINDOW.minusMillis(1));
        assertThat(limiter.reserve("cloud:r", 1, WINDOW, HOLD, () -> List.of(1)).isEmpty()).as("sent a moment less than a window ago").isTrue();

        clock.advance(Duration.ofMillis(1));
        assertThat(call(limiter, "cloud:r", 1, 1)).isTrue();
    }

    @Test
    void aReservationNotSentWithinItsHoldLapsesAndItsCallMustNotBeSent() {
        RateLimiter limiter = new RateLimiter(ledger);
        RateLimiter otherInstance = new RateLimiter(new Ledger(dataSource, clock));
        RateLimiter.Reservation<Integer> stuck = limiter.reserve("cloud:l", 1, WINDOW, HOLD, () -> List.of(0));

        clock.advance(HOLD);
        assertThat(call(otherInstance, "cloud:l", 1, 1)).as("the lapsed reservation frees its slot").isTrue();

        assertThat(limiter.markSent("cloud:l", stuck.slot())).isFalse();
        assertThat(otherInstance.used("cloud:l", WINDOW)).isEqualTo(1);
    }

    @Test
    void twoInstancesReservingAtOnceNeverExceedTheLimit() throws Exception {
        int limit = 5;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                RateLimiter instance = new RateLimiter(new Ledger(dataSource, clock));
                results.add(pool.submit(() -> {
                    start.await();
                    int sent = 0;
                    for (int i = 0; i < 10; i++) {
                        sent += call(instance, "cloud:c", limit, i) ? 1 : 0;
                    }
                    return sent;
                }));
            }
            start.countDown();
            int sent = 0;
            for (Future<Integer> r : results) {
                sent += r.get(30, TimeUnit.SECONDS);
            }

            assertThat(sent).isEqualTo(limit);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- intake

    @Test
    void keepsTheDigestOfTheFirstDocumentARequestWasOpenedWith() {
        String digest = "a".repeat(64);

        boolean opened = commands.openRequest("req-digest", "http", null, digest);
        boolean again = commands.openRequest("req-digest", "http", null, "b".repeat(64));
        commands.openRequest("req-file", "file", "batch.json");

        assertThat(opened).isTrue();
        assertThat(again).isFalse();
        assertThat(commands.request("req-digest").orElseThrow().documentDigest()).isEqualTo(digest);
        assertThat(commands.request("req-file").orElseThrow().documentDigest()).isNull();
    }

    @Test
    void recordCommandWritesTheCommandAndItsFirstTransition() {
        commands.openRequest("req-1", "file", "batch.json");
        Instant due = T0.plusSeconds(5);
        Instant deadline = T0.plus(Duration.ofMinutes(15));

        boolean created = commands.recordCommand(new NewCommand("c1", "req-1", 3, 1, "line 3", "a-7", KIND, "door-1", QUEUED,
                "{\"x\":1}", "CREATE", due, deadline, null));

        assertThat(created).isTrue();
        CommandRecord c = commands.command("c1").orElseThrow();
        assertThat(c.requestId()).isEqualTo("req-1");
        assertThat(c.seq()).isEqualTo(3);
        assertThat(c.recordRef()).isEqualTo("line 3");
        assertThat(c.actionId()).isEqualTo("a-7");
        assertThat(c.kind()).isEqualTo(KIND);
        assertThat(c.device()).isEqualTo("door-1");
        assertThat(c.state()).isEqualTo(QUEUED);
        assertThat(c.invalid()).isFalse();
        assertThat(c.payload()).isEqualTo("{\"x\":1}");
        assertThat(c.phase()).isEqualTo("CREATE");
        assertThat(c.attempts()).isZero();
        assertThat(c.polls()).isZero();
        assertThat(c.finishedAt()).isNull();
        assertThat(reads.transitions("c1")).singleElement().satisfies(t -> {
            assertThat(t.from()).isNull();
            assertThat(t.to()).isEqualTo(QUEUED);
        });
    }

    @Test
    void recordingTheSameCommandIdTwiceCreatesOneCommand() {
        commands.openRequest("req-1", "file", "batch.json");
        NewCommand command = queued("c1", "req-1", 1, T0);

        assertThat(commands.recordCommand(command)).isTrue();
        assertThat(commands.recordCommand(command)).isFalse();

        List<CommandRecord> all = new ArrayList<>();
        reads.forEachCommand("req-1", all::add);
        assertThat(all).extracting(CommandRecord::id).containsExactly("c1");
        assertThat(reads.transitions("c1")).hasSize(1);
    }

    @Test
    void recordCommandsSkipsCommandsAConcurrentIntakeOfTheSameRequestWroteFirst() throws Exception {
        commands.openRequest("req-1", "jms", null);
        List<NewCommand> record = List.of(queued("c1", "req-1", 1, T0), queued("c2", "req-1", 1, T0));
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        // the first intake has written the record but not committed yet when the second one looks
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() ->
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)).execute(tx -> {
                    int n = commands.recordCommands(record);
                    written.countDown();
                    await(commit);
                    return n;
                }));
        assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> commands.recordCommands(record));
        org.awaitility.Awaitility.await().during(300, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS)
                .until(() -> !second.isDone()); // it waits for the first one's rows
        commit.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(second.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(reads.transitions("c1")).hasSize(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void openRequestOfAnExistingIdAnswersFalse() {
        assertThat(commands.openRequest("req-1", "file", "batch.json")).isTrue();
        assertThat(commands.openRequest("req-1", "http", null)).isFalse();

        assertThat(commands.request("req-1")).hasValueSatisfying(r -> {
            assertThat(r.source()).isEqualTo("file");
            assertThat(r.sourceName()).isEqualTo("batch.json");
        });
    }

    // ---------------------------------------------------------------- transitions

    @Test
    void moveRecordsALegalForwardMoveWithVendorStatusRequestIdAndReason() {
        command("c1", QUEUED);

        Optional<LedgerTransitions.StateChanged> moved = transitions.move("c1",
                new StateChange(ACKNOWLEDGED, "PENDING", "req-abc-123", "created by the cloud"));

        assertThat(moved).hasValueSatisfying(m -> {
            assertThat(m.from()).isEqualTo(QUEUED);
            assertThat(m.change().to()).isEqualTo(ACKNOWLEDGED);
        });
        CommandRecord c = commands.command("c1").orElseThrow();
        assertThat(c.state()).isEqualTo(ACKNOWLEDGED);
        assertThat(c.vendorStatus()).isEqualTo("PENDING");
        assertThat(c.reason()).isEqualTo("created by the cloud");
        assertThat(reads.transitions("c1")).last().isEqualTo(
                new Transition(T0, QUEUED, ACKNOWLEDGED, "PENDING", "req-abc-123", "created by the cloud"));
    }

    @Test
    void moveNeverLeavesAFinalState() {
        command("c1", QUEUED);
        assertThat(transitions.move("c1", StateChange.to(SUCCESS))).isPresent();
        CommandRecord finished = commands.command("c1").orElseThrow();

        clock.advance(Duration.ofSeconds(1));
        for (CommandState other : CommandState.values()) {
            assertThat(transitions.move("c1", StateChange.failure("late", "FAILED", null))).as("-> FAILURE").isEmpty();
            assertThat(transitions.move("c1", StateChange.to(other))).as("-> " + other).isEmpty();
        }

        assertThat(commands.command("c1")).contains(finished);
        assertThat(reads.transitions("c1")).extracting(Transition::to).containsExactly(QUEUED, SUCCESS);
    }

    @Test
    void aFinalCommandDropsThePayloadSentToItsCloudAndTheAdaptersScratchAndKeepsWhatIsShown() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(new NewCommand("sent", "req-1", 1, 0, "line 1", "a1", KIND, "door-1", QUEUED,
                "{\"credentials\":[{\"id\":\"0A1B\"}]}", "CREATE", T0, null, null));
        commands.recordCommand(new NewCommand("pulled", "req-1", 2, 0, "line 2", "a2", LedgerTransitions.PULLED_KIND, "gw-2", QUEUED,
                "{\"command\":\"reboot\",\"params\":{}}", "INBOX", T0, null, null));
        queue.saveProgress("sent", Progress.next("POLL", T0).withVendor("act-1", "PENDING", "{\"upload_url\":\"https://u.example/p?sig=s\"}"));
        transitions.move("sent", new StateChange(IN_PROGRESS, "PENDING", "req-abc", null));
        assertThat(commands.command("sent").orElseThrow().payload()).as("not final yet").contains("0A1B");

        transitions.move("sent", new StateChange(SUCCESS, "RESOLVED", "req-def", null));
        transitions.move("pulled", StateChange.to(SUCCESS));

        CommandRecord sent = commands.command("sent").orElseThrow();
        assertThat(sent.payload()).isNull();
        assertThat(sent.vendorData()).isNull();
        assertThat(sent.state()).isEqualTo(SUCCESS);
        assertThat(sent.vendorRef()).isEqualTo("act-1");
        assertThat(sent.vendorStatus()).isEqualTo("RESOLVED");
        assertThat(reads.transitions("sent")).extracting(Transition::to).containsExactly(QUEUED, IN_PROGRESS, SUCCESS);
        assertThat(commands.command("pulled").orElseThrow().payload()).as("shown by the status API").contains("reboot");
    }

    @Test
    void moveRefusesABackwardsMoveAndWritesNothing() {
        command("c1", QUEUED);
        transitions.move("c1", StateChange.to(INITIATED));
        transitions.move("c1", StateChange.to(ACKNOWLEDGED));
        transitions.move("c1", new StateChange(IN_PROGRESS, "IN_PROGRESS", null, null));
        CommandRecord before = commands.command("c1").orElseThrow();

        clock.advance(Duration.ofSeconds(1));
        Optional<LedgerTransitions.StateChanged> late = transitions.move("c1", new StateChange(ACKNOWLEDGED, "PENDING", "r-9", "late webhook"));

        assertThat(late).isEmpty();
        assertThat(commands.command("c1")).contains(before);
        assertThat(reads.transitions("c1")).extracting(Transition::to).containsExactly(QUEUED, INITIATED, ACKNOWLEDGED, IN_PROGRESS);
    }

    @Test
    void moveAllowsScheduledToQueued() {
        command("c1", SCHEDULED);

        assertThat(transitions.move("c1", StateChange.to(QUEUED))).isPresent();

        assertThat(commands.command("c1").orElseThrow().state()).isEqualTo(QUEUED);
        assertThat(reads.transitions("c1")).extracting(Transition::to).containsExactly(SCHEDULED, QUEUED);
        assertThat(transitions.move("c1", StateChange.to(SCHEDULED))).as("but not back").isEmpty();
    }

    @Test
    void concurrentMovesOfOneCommandMakeExactlyOneTransitionToAFinalState() throws Exception {
        command("c1", IN_PROGRESS);
        List<CommandState> finals = List.of(SUCCESS, FAILURE, TIMEOUT, CANCELLED);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<LedgerTransitions.StateChanged>>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                CommandState to = finals.get(i % finals.size());
                results.add(pool.submit(() -> {
                    start.await();
                    return transitions.move("c1", new StateChange(to, null, null, "thread for " + to));
                }));
            }
            start.countDown();
            int winners = 0;
            for (Future<Optional<LedgerTransitions.StateChanged>> r : results) {
                winners += r.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }

            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        List<Transition> path = reads.transitions("c1");
        assertThat(path).hasSize(2);
        assertThat(path.get(1).from()).isEqualTo(IN_PROGRESS);
        assertThat(path.get(1).to().isFinal()).isTrue();
        assertThat(commands.command("c1").orElseThrow().state()).isEqualTo(path.get(1).to());
    }

    // ---------------------------------------------------------------- work

    @Test
    void claimDueReturnsOnlyDueUnfinishedCommandsOfTheKind() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(queued("due", "req-1", 1, T0.minusSeconds(1)));
        commands.recordCommand(queued("due-now", "req-1", 2, T0));
        commands.recordCommand(queued("later", "req-1", 3, T0.plusSeconds(60)));
        commands.recordCommand(queued("waiting", "req-1", 4, null));
        commands.recordCommand(new NewCommand("other-kind", "req-1", 5, 0, "line 5", "a5", "network", "sw-1", QUEUED, "{}",
                "CREATE", T0.minusSeconds(1), null, null));
        commands.recordCommand(new NewCommand("invalid", "req-1", 6, 0, "line 6", "a6", KIND, "door-6", FAILURE, "{}", "DONE",
                T0.minusSeconds(1), null, "bad payload"));
        commands.recordCommand(queued("finished", "req-1", 7, T0.minusSeconds(1)));
        transitions.move("finished", StateChange.to(CANCELLED));

        List<CommandRecord> claimed = queue.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO);

        assertThat(claimed).extracting(CommandRecord::id).containsExactly("due", "due-now");
    }

    @Test
    void claimsOfEverySizeTakeEachDueCommandOnceAndNoMoreThanTheLimit() {
        // H2 names the claimed rows with as many markers as the next power of two, the last id repeated
        commands.openRequest("req-1", "file", "b.json");
        for (int seq = 1; seq <= 12; seq++) {
            commands.recordCommand(queued("c" + seq, "req-1", seq, T0.minusSeconds(60 - seq)));
        }
        List<String> taken = new java.util.ArrayList<>();
        for (int limit : List.of(3, 1, 5, 2)) {
            List<CommandRecord> claimed = queue.claimDue(KIND, limit, Duration.ofMinutes(5), Duration.ZERO);
            assertThat(claimed).as("a claim of %d", limit).hasSize(limit);
            claimed.forEach(c -> taken.add(c.id()));
        }
        assertThat(taken).containsExactly("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11");
        assertThat(queue.claimDue(KIND, 4, Duration.ofMinutes(5), Duration.ZERO)).extracting(CommandRecord::id).containsExactly("c12");
    }

    @Test
    void claimDueLeasesACommandSoASecondClaimGetsNothingUntilTheLeaseExpires() {
        command("c1", QUEUED);
        WorkQueue otherInstance = new WorkQueue(new Ledger(dataSource, clock));

        assertThat(queue.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO)).extracting(CommandRecord::id).containsExactly("c1");
        assertThat(queue.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO)).isEmpty();
        assertThat(otherInstance.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO)).isEmpty();

        clock.advance(Duration.ofSeconds(29));
        assertThat(otherInstance.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO)).isEmpty();

        clock.advance(Duration.ofSeconds(2));
        assertThat(otherInstance.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO)).extracting(CommandRecord::id).containsExactly("c1");
    }

    @Test
    void claimDueHoldsBackTheCommandsOfABatchStillBeingReadUntilTheyAreGatherOld() {
        commands.openRequest("reading", "file", "big.jsonl");
        commands.recordCommand(queued("c1", "reading", 1, T0.minusSeconds(1)));
        commands.openRequest("read", "file", "small.json");
        commands.recordCommand(queued("c2", "read", 1, T0.minusSeconds(1)));
        commands.completeIntake("read");

        assertThat(queue.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ofSeconds(1))).extracting(CommandRecord::id)
                .containsExactly("c2");

        clock.advance(Duration.ofSeconds(1));
        assertThat(queue.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ofSeconds(1))).extracting(CommandRecord::id)
                .containsExactly("c1");
    }

    @Test
    void releaseEndsALeaseSoTheNextClaimGetsTheCommand() {
        command("c1", QUEUED);
        assertThat(queue.claimDue(KIND, 10, Duration.ofMinutes(5), Duration.ZERO)).hasSize(1);

        queue.release("c1");

        assertThat(queue.claimDue(KIND, 10, Duration.ofMinutes(5), Duration.ZERO)).extracting(CommandRecord::id).containsExactly("c1");
    }

    @Test
    void aChangeFromOutsideTheStepsWaitsForTheStepInFlightAndNeverFreesItsLease() {
        command("c1", QUEUED);
        assertThat(queue.claimDue(KIND, 10, Duration.ofMinutes(5), Duration.ZERO)).hasSize(1); // a step is out for c1

        assertThat(queue.holdUnlessLeased("c1")).as("held by the step in flight").isFalse();

        assertThat(queue.claimDue(KIND, 10, Duration.ofMinutes(5), Duration.ZERO)).as("still leased to the step in flight").isEmpty();
        queue.saveProgress("c1", Progress.next("POLL", T0)); // the step records its answer, and lets go
        assertThat(queue.holdUnlessLeased("c1")).isTrue();
        assertThat(commands.command("c1").orElseThrow().phase()).as("holding changes nothing").isEqualTo("POLL");
    }

    @Test
    void claimDueTakesAtMostTheLimitOldestDueFirst() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(queued("c3", "req-1", 3, T0.minusSeconds(1)));
        commands.recordCommand(queued("c1", "req-1", 1, T0.minusSeconds(3)));
        commands.recordCommand(queued("c2", "req-1", 2, T0.minusSeconds(2)));

        assertThat(queue.claimDue(KIND, 2, Duration.ofSeconds(30), Duration.ZERO)).extracting(CommandRecord::id).containsExactly("c1", "c2");
        assertThat(queue.claimDue(KIND, 2, Duration.ofSeconds(30), Duration.ZERO)).extracting(CommandRecord::id).containsExactly("c3");
    }

    @Test
    void claimDueStoresTheSentPhaseWithTheLeaseAndReturnsTheStepToMake() {
        command("c1", QUEUED); // phase CREATE

        List<CommandRecord> claimed = queue.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO,
                java.util.Map.of("CREATE", "CREATE_SENT"));

        assertThat(claimed).extracting(CommandRecord::phase).as("the step to make now").containsExactly("CREATE");
        assertThat(commands.command("c1").orElseThrow().phase()).as("stored before the call leaves").isEqualTo("CREATE_SENT");
        clock.advance(Duration.ofSeconds(31));
        assertThat(queue.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO, java.util.Map.of("CREATE", "CREATE_SENT")))
                .as("a lease that ran out without an answer: the step of a call whose answer was lost")
                .extracting(CommandRecord::phase).containsExactly("CREATE_SENT");
    }

    @Test
    void claimDueTakesStartedWorkBeforeNewCommandsWhateverTheirAge() {
        commands.openRequest("req-1", "file", "b.json");
        for (int i = 1; i <= 5; i++) {
            commands.recordCommand(queued("new-" + i, "req-1", i, T0.minusSeconds(60)));
        }
        commands.recordCommand(queued("begun", "req-1", 9, T0.minusSeconds(60)));
        queue.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO).forEach(c -> queue.release(c.id()));
        queue.saveProgress("begun", Progress.next("UPLOAD", T0)); // its create was answered a moment ago

        assertThat(queue.claimDue(KIND, 2, Duration.ofSeconds(30), Duration.ZERO)).extracting(CommandRecord::id)
                .as("the upload due now goes before four older creates").containsExactlyInAnyOrder("begun", "new-1");
    }

    @Test
    void aFinalCommandGivesItsDevicesSlotBackSoThatTheSlotsHoldOnlyDevicesWithAnOpenCommand() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(new NewCommand("first", "req-1", 1, 0, "line 1", "a1", KIND, "door-9", QUEUED, "{}", "CREATE", T0, null, null));
        commands.recordCommand(new NewCommand("second", "req-1", 2, 0, "line 2", "a2", KIND, "door-9", QUEUED, "{}", "CREATE",
                T0.plusSeconds(1), null, null));
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        CommandRecord first = commands.command("first").orElseThrow();
        CommandRecord second = commands.command("second").orElseThrow();
        assertThat(queue.takeDevice(first)).isTrue();
        assertThat(queue.takeDevice(second)).as("held by an open command").isFalse();

        transitions.move("first", StateChange.to(SUCCESS));

        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM bridge_device_slot", Integer.class)).as("slots after the final move").isZero();
        assertThat(queue.takeDevice(second)).isTrue();
        assertThat(jdbc.queryForList("SELECT command_id FROM bridge_device_slot WHERE device = 'door-9'", String.class)).containsExactly("second");
    }

    @Test
    void aCommandThatFoundItsDeviceBusyIsDueAtOnceWhenTheHolderEndedWhileItsClaimWasOpen() throws Exception {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(new NewCommand("holder", "req-1", 1, 0, "line 1", "a1", KIND, "door-9", QUEUED, "{}", "CREATE", T0, null, null));
        commands.recordCommand(new NewCommand("waiter", "req-1", 2, 0, "line 2", "a2", KIND, "door-9", QUEUED, "{}", "CREATE",
                T0.plusSeconds(1), null, null));
        CommandRecord holder = queue.claimDue(KIND, 1, Duration.ofMinutes(1), Duration.ZERO).get(0);
        assertThat(queue.takeDevice(holder)).isTrue();
        clock.advance(Duration.ofSeconds(1));

        // the claim of the waiter, as the access adapter makes it: the device is busy, so it waits a lease at most
        CountDownLatch claimOpen = new CountDownLatch(1);
        CountDownLatch holderEnded = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> claim = threads.submit(() -> ledger.inTransaction(() -> {
                CommandRecord waiter = queue.claimDue(KIND, 1, Duration.ofMinutes(1), Duration.ZERO).get(0);
                assertThat(queue.takeDevice(waiter)).isFalse();
                queue.unclaim(waiter, clock.instant().plus(Duration.ofMinutes(1)));
                ledger.afterCommit(() -> queue.wakeIfItsTurn(waiter, false));
                claimOpen.countDown();
                await(holderEnded);
            }));
            await(claimOpen);
            // meanwhile the holder ends and wakes its device's waiters, before the claim above has committed
            transitions.move("holder", StateChange.to(SUCCESS));
            Future<Integer> woken = threads.submit(() -> queue.wakeWaiting(KIND, "door-9", "CREATE"));
            try {
                woken.get(2, TimeUnit.SECONDS); // PostgreSQL: finds nothing to wake, the waiter is not waiting yet
            } catch (java.util.concurrent.TimeoutException lockedByTheClaim) {
                // H2 may wait for the claim's row lock instead
            }
            holderEnded.countDown();
            claim.get(10, TimeUnit.SECONDS);
            woken.get(10, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        assertThat(queue.claimDue(KIND, 1, Duration.ofMinutes(1), Duration.ZERO)).as("due now, not after a lease")
                .extracting(CommandRecord::id).containsExactly("waiter");
    }

    @Test
    void inOrderACommandWaitsWhileAnOlderOneOfItsDeviceIsOpenWhateverTheOrderTheyAreDueIn() {
        for (String request : List.of("req-a", "req-b", "req-c")) {
            commands.openRequest(request, "file", request + ".json");
            commands.recordCommand(new NewCommand(request.substring(4), request, 1, 0, "line 1", "a1", KIND, "door-7", QUEUED, "{}",
                    "CREATE", T0, null, null));
            clock.advance(Duration.ofMillis(10));
        }
        commands.recordCommand(new NewCommand("held", "req-a", 2, 0, "line 2", "a2", KIND, "door-7", SCHEDULED, "{}", "CREATE",
                T0.plusSeconds(3600), null, null));
        commands.recordCommand(new NewCommand("bad", "req-a", 3, 0, "line 3", "a3", KIND, "door-7", FAILURE, "{}", "DONE", null, null,
                "bad payload"));
        CommandRecord a = commands.command("a").orElseThrow();
        CommandRecord b = commands.command("b").orElseThrow();
        CommandRecord c = commands.command("c").orElseThrow();

        assertThat(queue.olderCommandOpen(a)).as("the oldest: held back and invalid ones do not count").isFalse();
        assertThat(queue.olderCommandOpen(b)).isTrue();
        assertThat(queue.olderCommandOpen(c)).isTrue();
        transitions.move("a", StateChange.to(CANCELLED));
        assertThat(queue.olderCommandOpen(b)).isFalse();
        assertThat(queue.olderCommandOpen(c)).as("b is still to run").isTrue();

        queue.unclaim(c, T0.plusSeconds(60));   // c found b still to run: its turn has not come, it stays waiting
        queue.wakeIfItsTurn(c, true);
        assertThat(commands.command("c").orElseThrow().nextAttemptAt()).isEqualTo(T0.plusSeconds(60));
        transitions.move("b", StateChange.to(CANCELLED));
        queue.wakeIfItsTurn(c, true);
        assertThat(commands.command("c").orElseThrow().nextAttemptAt()).isBefore(T0.plusSeconds(60));
    }

    @Test
    void listenersHearOfAStateChangeOnlyOnceItsTransactionCommits() {
        command("c1", QUEUED);
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        transitions.onStateChanged(event -> heard.add(event.command().id() + " -> " + event.change().to().label()));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger.inTransaction(() -> {
            transitions.move("c1", StateChange.to(INITIATED));
            throw new IllegalStateException("the step failed after the move");
        })).hasMessageContaining("the step failed");
        assertThat(heard).as("a move rolled back is told to nobody").isEmpty();
        assertThat(commands.command("c1").orElseThrow().state()).isEqualTo(QUEUED);

        ledger.inTransaction(() -> {
            transitions.move("c1", StateChange.to(INITIATED));
            assertThat(heard).as("not before the commit").isEmpty();
        });
        assertThat(heard).containsExactly("c1 -> Command Initiated");
    }

    @Test
    void claimDueNeverTakesAFinalCommand() {
        command("c1", QUEUED);
        transitions.move("c1", StateChange.failure("gone", null, null));

        assertThat(queue.claimDue(KIND, 10, Duration.ofSeconds(30), Duration.ZERO)).isEmpty();
    }

    @Test
    void saveProgressKeepsFieldsPassedAsNull() {
        command("c1", QUEUED);
        queue.claimDue(KIND, 1, Duration.ofSeconds(30), Duration.ZERO);
        queue.saveProgress("c1", Progress.next("UPLOAD", T0.plusSeconds(1)).withVendor("act-1", "PENDING", "{\"upload\":\"u\"}"));
        Instant pollAt = T0.plusSeconds(10);

        queue.saveProgress("c1", Progress.next("POLL", pollAt).countPoll().attempts(2));

        CommandRecord c = commands.command("c1").orElseThrow();
        assertThat(c.phase()).isEqualTo("POLL");
        assertThat(c.vendorRef()).isEqualTo("act-1");
        assertThat(c.vendorStatus()).isEqualTo("PENDING");
        assertThat(c.vendorData()).isEqualTo("{\"upload\":\"u\"}");
        assertThat(c.attempts()).isEqualTo(2);
        assertThat(c.polls()).isEqualTo(1);
        assertThat(c.nextAttemptAt()).isEqualTo(pollAt);
        assertThat(c.state()).as("progress is no state change").isEqualTo(QUEUED);
        clock.set(pollAt);
        assertThat(queue.claimDue(KIND, 1, Duration.ofSeconds(30), Duration.ZERO)).as("saving progress ends the lease").hasSize(1);
    }

    @Test
    void aMoveWithTheStepsProgressLeavesTheRowAsSavingTheProgressAndThenMovingDid() {
        command("one-write", QUEUED);
        command("two-writes", QUEUED);
        Instant pollAt = T0.plusSeconds(10);
        List<LedgerTransitions.StateChanged> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        transitions.onStateChanged(heard::add);
        for (String id : List.of("one-write", "two-writes")) {
            queue.saveProgress(id, Progress.next("POLL", T0).withVendor("act-" + id, "PENDING", "{\"upload_url\":\"u\"}").countPoll());
        }
        Progress progress = Progress.next("VERIFY", pollAt).withVendorStatus("RESOLVED").countPoll().attempts(1);
        StateChange change = new StateChange(IN_PROGRESS, null, "req-1", "resolved by the cloud");

        assertThat(transitions.move("one-write", change, progress)).isTrue();
        queue.saveProgress("two-writes", progress);
        transitions.move("two-writes", change);

        CommandRecord one = commands.command("one-write").orElseThrow();
        CommandRecord two = commands.command("two-writes").orElseThrow();
        assertThat(one).usingRecursiveComparison().ignoringFields("id", "requestId", "vendorRef").isEqualTo(two);
        assertThat(one.phase()).isEqualTo("VERIFY");
        assertThat(one.vendorStatus()).isEqualTo("RESOLVED");
        assertThat(one.vendorData()).isEqualTo("{\"upload_url\":\"u\"}");
        assertThat(one.polls()).isEqualTo(2);
        assertThat(one.attempts()).isEqualTo(1);
        assertThat(one.nextAttemptAt()).isEqualTo(pollAt);
        assertThat(one.state()).isEqualTo(IN_PROGRESS);
        assertThat(reads.transitions("one-write")).last().isEqualTo(
                new Transition(T0, QUEUED, IN_PROGRESS, null, "req-1", "resolved by the cloud"));
        assertThat(heard).extracting(e -> e.command().polls()).as("listeners see the row with the step's progress, either way")
                .containsExactly(2, 2);
        clock.set(pollAt);
        assertThat(queue.claimDue(KIND, 2, Duration.ofSeconds(30), Duration.ZERO)).as("the lease was let go").hasSize(2);
    }

    @Test
    void aMoveThatIsNotLegalStillSavesTheStepsProgressAndAFinalCommandKeepsWhatItHas() {
        command("c1", QUEUED);
        transitions.move("c1", StateChange.to(IN_PROGRESS));
        Instant pollAt = T0.plusSeconds(5);

        assertThat(transitions.move("c1", StateChange.to(IN_PROGRESS), Progress.next("POLL", pollAt).countPoll()))
                .as("saved, not moved").isTrue();
        assertThat(reads.transitions("c1")).extracting(Transition::to).containsExactly(QUEUED, IN_PROGRESS);

        CommandRecord c = commands.command("c1").orElseThrow();
        assertThat(c.phase()).isEqualTo("POLL");
        assertThat(c.polls()).isEqualTo(1);
        assertThat(c.nextAttemptAt()).isEqualTo(pollAt);

        assertThat(transitions.move("c1", new StateChange(SUCCESS, "RESOLVED", null, null), Progress.next("CONFIRMED", pollAt)
                .withVendor(null, null, "{\"scratch\":1}"))).isTrue();
        CommandRecord done = commands.command("c1").orElseThrow();
        assertThat(done.phase()).isEqualTo("CONFIRMED");
        assertThat(done.nextAttemptAt()).as("a final command is due never").isNull();
        assertThat(done.vendorData()).as("scratch goes with the final move").isNull();
        assertThat(done.payload()).isNull();

        assertThat(transitions.move("c1", StateChange.failure("late", null, null), Progress.next("POLL", pollAt).countPoll())).isFalse();
        assertThat(commands.command("c1")).contains(done);
    }

    @Test
    void overdueListsOnlyUnfinishedCommandsPastTheirDeadline() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(withDeadline("late", 1, T0.plusSeconds(10)));
        commands.recordCommand(withDeadline("later", 2, T0.plusSeconds(20)));
        commands.recordCommand(withDeadline("in-time", 3, T0.plusSeconds(120)));
        commands.recordCommand(withDeadline("done", 4, T0.plusSeconds(10)));
        commands.recordCommand(withDeadline("no-deadline", 5, null));
        transitions.move("done", StateChange.to(SUCCESS));

        clock.advance(Duration.ofSeconds(60));

        assertThat(queue.overdue(10)).containsExactly("late", "later");
        assertThat(queue.overdue(1)).containsExactly("late");
    }

    @Test
    void aCommandWhoseCallIsInFlightIsNotTimedOutUnderItsCallAndItsAnswerDecides() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(dueWithDeadline("c1", 1, T0.plusSeconds(10)));
        DeadlineWatch watch = new DeadlineWatch(queue, commands, transitions);
        assertThat(queue.claimChunk(KIND, 100, Duration.ofMinutes(1))).extracting(CommandRecord::id).containsExactly("c1");
        transitions.move("c1", StateChange.to(INITIATED));

        clock.advance(Duration.ofSeconds(20)); // the call is still out, past the deadline
        assertThat(watch.overdue(10)).isEmpty();
        watch.expire("c1");
        assertThat(commands.command("c1").orElseThrow().state()).isEqualTo(INITIATED);

        transitions.move("c1", new StateChange(SUCCESS, "1", "req-x", null));
        assertThat(commands.command("c1").orElseThrow().state()).isEqualTo(SUCCESS);
    }

    @Test
    void aCommandPastItsDeadlineIsTimedOutOnceItsCallEndedWithoutAFinalAnswer() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(dueWithDeadline("c1", 1, T0.plusSeconds(10)));
        DeadlineWatch watch = new DeadlineWatch(queue, commands, transitions);
        queue.claimChunk(KIND, 100, Duration.ofMinutes(1));
        transitions.move("c1", StateChange.to(INITIATED));
        clock.advance(Duration.ofSeconds(20));

        queue.saveProgress("c1", Progress.next("SEND", clock.instant().plusSeconds(5)).attempts(1)); // a 503: retry later

        assertThat(watch.overdue(10)).containsExactly("c1");
        watch.expire("c1");
        CommandRecord c = commands.command("c1").orElseThrow();
        assertThat(c.state()).isEqualTo(TIMEOUT);
        assertThat(c.reason()).contains("passed in state Command Initiated");
    }

    @Test
    void aCommandPastItsDeadlineGetsNoNewCall() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(dueWithDeadline("c1", 1, T0.plusSeconds(10)));
        commands.recordCommand(dueWithDeadline("c2", 2, null));
        clock.advance(Duration.ofSeconds(11));

        assertThat(queue.claimChunk(KIND, 100, Duration.ofMinutes(1))).extracting(CommandRecord::id).containsExactly("c2");
        queue.release("c2");
        assertThat(queue.claimDue(KIND, 100, Duration.ofMinutes(1), Duration.ZERO)).extracting(CommandRecord::id).containsExactly("c2");
    }

    @Test
    void expiringLeavesACommandAnotherInstanceClaimedSinceItWasListed() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(dueWithDeadline("c1", 1, T0.plusSeconds(10)));
        DeadlineWatch watch = new DeadlineWatch(queue, commands, transitions);
        clock.advance(Duration.ofSeconds(11));
        assertThat(watch.overdue(10)).containsExactly("c1");

        WorkQueue instanceWithASlowClock = new WorkQueue(new Ledger(dataSource, new HandClock(T0.plusSeconds(9))));
        assertThat(instanceWithASlowClock.claimChunk(KIND, 100, Duration.ofMinutes(1))).hasSize(1);
        watch.expire("c1");

        assertThat(commands.command("c1").orElseThrow().state()).isEqualTo(QUEUED);
    }

    // ---------------------------------------------------------------- requests

    @Test
    void requestIsFinishedOnceIntakeIsCompleteAndEveryCommandIsFinalThenReportedOnce() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(queued("c1", "req-1", 1, T0));
        commands.recordCommand(queued("c2", "req-1", 2, T0));
        transitions.move("c1", StateChange.to(SUCCESS));
        assertThat(commands.requestsJustFinished()).as("intake still running").isEmpty();

        commands.completeIntake("req-1");
        assertThat(commands.requestsJustFinished()).as("c2 not final").isEmpty();

        clock.advance(Duration.ofSeconds(7));
        Instant lastFinished = clock.instant();
        transitions.move("c2", StateChange.failure("refused", "FAILED", "r-2"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(commands.requestsJustFinished()).containsExactly("req-1");
        assertThat(commands.requestsToReport()).isEmpty();

        commands.markFinished("req-1");
        assertThat(commands.requestsJustFinished()).isEmpty();
        assertThat(commands.requestsToReport()).extracting(RequestRecord::id).containsExactly("req-1");
        assertThat(commands.request("req-1").orElseThrow().finishedAt()).isEqualTo(lastFinished);

        commands.markReported("req-1");
        assertThat(commands.requestsToReport()).isEmpty();
        assertThat(commands.openRequests()).isEmpty();
    }

    @Test
    void countsCommandsByStateWithInvalidCommandsAndIntakeErrorsAsInvalid() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordCommand(queued("q1", "req-1", 1, T0));
        commands.recordCommand(queued("q2", "req-1", 2, T0));
        commands.recordCommand(queued("ok", "req-1", 3, T0));
        commands.recordCommand(queued("failed", "req-1", 4, T0));
        commands.recordCommand(invalid("bad", "req-1", 5, "credentials[0].id is not hex"));
        commands.recordIntakeError("req-1", 6, "line 6", "not JSON", "{oops");
        commands.openRequest("req-2", "file", "other.json");
        commands.recordCommand(queued("elsewhere", "req-2", 1, T0));
        transitions.move("ok", StateChange.to(SUCCESS));
        transitions.move("failed", StateChange.failure("refused", "FAILED", null));

        RequestCounts counts = reads.counts("req-1");

        assertThat(counts.of(QUEUED)).isEqualTo(2);
        assertThat(counts.of(SUCCESS)).isEqualTo(1);
        assertThat(counts.of(FAILURE)).as("failures that are not invalid records").isEqualTo(1);
        assertThat(counts.invalid()).isEqualTo(2);
        assertThat(counts.total()).isEqualTo(6);
        assertThat(counts.done()).isEqualTo(4);
    }

    @Test
    void forEachRejectedRecordListsIntakeErrorsAndInvalidCommandsInBatchOrder() {
        commands.openRequest("req-1", "file", "b.json");
        commands.recordIntakeError("req-1", 4, "line 4", "not JSON", "{oops");
        commands.recordCommand(queued("fine", "req-1", 2, T0));
        commands.recordCommand(invalid("bad-5", "req-1", 5, "device is missing"));
        commands.recordIntakeError("req-1", 1, "line 1", "unknown kind 'lights'", "{\"kind\":\"lights\"}");
        commands.recordCommand(invalid("bad-3", "req-1", 3, "credentials[0].id is not hex"));
        assertThat(commands.recordIntakeError("req-1", 4, "line 4", "not JSON", "{oops")).as("recorded once").isFalse();

        List<RejectedRecord> rejected = new ArrayList<>();
        reads.forEachRejectedRecord("req-1", rejected::add);

        assertThat(rejected).containsExactly(
                new RejectedRecord(1, "line 1", "unknown kind 'lights'", "{\"kind\":\"lights\"}"),
                new RejectedRecord(3, "line 3", "credentials[0].id is not hex", "{\"bad\":3}"),
                new RejectedRecord(4, "line 4", "not JSON", "{oops"),
                new RejectedRecord(5, "line 5", "device is missing", "{\"bad\":5}"));
    }

    // ---------------------------------------------------------------- time

    @Test
    void timestampsRoundTripWithinAMillisecond() {
        // sub-millisecond parts, a leap day, both sides of the 2026 autumn clock change in Europe
        List<Instant> instants = List.of(
                Instant.parse("2026-03-10T09:15:30.123456789Z"),
                Instant.parse("2028-02-29T23:59:59.999999Z"),
                Instant.parse("2026-10-25T00:30:00.000500Z"),
                Instant.parse("2026-10-25T01:30:00.987654Z"),
                Instant.parse("2038-01-19T03:14:08.001Z"));
        int seq = 0;
        for (Instant at : instants) {
            seq++;
            clock.set(at);
            String request = "req-" + seq;
            commands.openRequest(request, "file", "b.json");
            commands.recordCommand(new NewCommand("c" + seq, request, seq, 0, "line " + seq, "a", KIND, "d", QUEUED, "{}", "CREATE",
                    at.plusSeconds(1), at.plus(Duration.ofHours(1)), null));
            transitions.move("c" + seq, StateChange.to(SUCCESS));

            CommandRecord c = commands.command("c" + seq).orElseThrow();
            assertThat(c.createdAt()).as("created_at of %s", at).isCloseTo(at, within(1, ChronoUnit.MILLIS));
            assertThat(c.updatedAt()).as("updated_at of %s", at).isCloseTo(at, within(1, ChronoUnit.MILLIS));
            assertThat(c.finishedAt()).as("finished_at of %s", at).isCloseTo(at, within(1, ChronoUnit.MILLIS));
            assertThat(c.deadlineAt()).as("deadline_at of %s", at).isCloseTo(at.plus(Duration.ofHours(1)), within(1, ChronoUnit.MILLIS));
            assertThat(reads.transitions("c" + seq)).allSatisfy(t ->
                    assertThat(t.at()).as("transition at %s", at).isCloseTo(at, within(1, ChronoUnit.MILLIS)));
            assertThat(commands.request(request).orElseThrow().createdAt()).as("request created_at of %s", at)
                    .isCloseTo(at, within(1, ChronoUnit.MILLIS));
        }
    }

    @Test
    void aPageOfTheListCarriesEachCommandsVendorRequestIdsAndReadsOnAfterACommand() {
        commands.openRequest("req-1", "file", "b.json");
        for (int i = 1; i <= 4; i++) {
            commands.recordCommand(queued("c" + i, "req-1", i, T0));
        }
        CallLog calls = new CallLog(ledger);
        calls.recordCall("c2", "create-action", 201, "v-2a", 5, null);
        calls.recordCall("c2", "get-action", 200, null, 5, null);   // no vendor request id: not listed
        calls.recordCall("c2", "get-action", 200, "v-2b", 5, null);
        calls.recordCall("c3", "create-action", 201, "v-3", 5, null);

        LedgerReads.Page<LedgerReads.ListedCommand> first = reads.findCommands(
                new CommandQuery(List.of(), false, null, false, 2, 0, true)).orElseThrow();
        LedgerReads.Page<LedgerReads.ListedCommand> next = reads.findCommands(
                new CommandQuery(List.of(), false, "c2", false, 2, 0, true)).orElseThrow();
        LedgerReads.Page<LedgerReads.ListedCommand> back = reads.findCommands(
                new CommandQuery(List.of(), false, "c3", true, 5, 0, false)).orElseThrow();

        assertThat(first.items()).extracting(l -> l.command().id()).containsExactly("c1", "c2");
        assertThat(first.items()).extracting(LedgerReads.ListedCommand::vendorRequestIds)
                .containsExactly(List.of(), List.of("v-2a", "v-2b"));
        assertThat(first.total()).isEqualTo(4);
        assertThat(first.hasMore()).isTrue();
        assertThat(next.items()).extracting(l -> l.command().id()).containsExactly("c3", "c4");
        assertThat(next.items()).extracting(LedgerReads.ListedCommand::vendorRequestIds).containsExactly(List.of("v-3"), List.of());
        assertThat(next.hasMore()).isFalse();
        assertThat(back.items()).extracting(l -> l.command().id()).containsExactly("c2", "c1");
        assertThat(back.total()).isNull();
        assertThat(reads.findCommands(new CommandQuery(List.of(), false, "c4", false, 2, 0, true)).orElseThrow().items())
                .as("past the end").isEmpty();
        assertThat(reads.findCommands(new CommandQuery(List.of(), false, "no-such-command", false, 2, 0, true)))
                .as("an unknown cursor").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** A request of one command in {@code state}, due now. */
    void command(String id, CommandState state) {
        commands.openRequest("req-" + id, "file", "b.json");
        commands.recordCommand(new NewCommand(id, "req-" + id, 1, 0, "line 1", "a1", KIND, "door-1", state, "{}", "CREATE", T0, null, null));
    }

    static NewCommand queued(String id, String requestId, int seq, Instant due) {
        return new NewCommand(id, requestId, seq, 0, "line " + seq, "a" + seq, KIND, "door-" + seq, QUEUED, "{}", "CREATE", due, null, null);
    }

    static NewCommand withDeadline(String id, int seq, Instant deadline) {
        return new NewCommand(id, "req-1", seq, 0, "line " + seq, "a" + seq, KIND, "door-" + seq, QUEUED, "{}", "CREATE", null, deadline, null);
    }

    static NewCommand dueWithDeadline(String id, int seq, Instant deadline) {
        return new NewCommand(id, "req-1", seq, 0, "line " + seq, "a" + seq, KIND, "dev-" + seq, QUEUED, "{}", "SEND", T0, deadline, null);
    }

    static NewCommand invalid(String id, String requestId, int seq, String reason) {
        return new NewCommand(id, requestId, seq, 0, "line " + seq, "a" + seq, KIND, "door-" + seq, FAILURE, "{\"bad\":" + seq + "}",
                "DONE", null, null, reason);
    }
}
