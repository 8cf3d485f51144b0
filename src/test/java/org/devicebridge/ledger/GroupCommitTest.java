package org.devicebridge.ledger;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The group commit of step outcomes on H2 ({@code bridge.db.group-commit}): a step's caller goes on
 * only once its writes are committed, steps queued together share a transaction each in its own
 * savepoint (a failing one leaves nothing, the others are kept), and a step's after-commit actions
 * run on its own thread, only when it was kept. Real H2, real threads.
 */
class GroupCommitTest {

    private HikariDataSource dataSource;
    private Ledger ledger;
    private GroupCommit group;
    private final ExecutorService workers = Executors.newFixedThreadPool(20);

    @BeforeEach
    void open() {
        dataSource = LedgerDatabase.open("jdbc:h2:mem:group_" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", null, 25);
        ledger = new Ledger(dataSource, Clock.systemUTC());
        ledger.jdbc().execute("CREATE TABLE step_outcome (step INT PRIMARY KEY, writer VARCHAR(100))");
        group = new GroupCommit(ledger, 100, 1); // one writer: the steps queued behind a busy group become the next group
    }

    @AfterEach
    void close() throws Exception {
        group.close();
        workers.shutdownNow();
        dataSource.close();
    }

    @Test
    void aStepReturnsOnlyOnceItsWritesAreCommittedAndSeenByEveryConnection() throws Exception {
        group.run(() -> ledger.jdbc().update("INSERT INTO step_outcome VALUES (1, ?)", Thread.currentThread().getName()));

        try (Connection other = dataSource.getConnection(); ResultSet rs = other.createStatement()
                .executeQuery("SELECT writer FROM step_outcome WHERE step = 1")) {
            assertThat(rs.next()).as("committed before run returned").isTrue();
            assertThat(rs.getString(1)).startsWith("ledger group commit");
        }
    }

    @Test
    void aFailingStepOfAGroupLeavesNothingAndTheOthersAreKeptWithTheirAfterCommitActionsOnTheirOwnThreads() throws Exception {
        CountDownLatch writerBusy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> first = workers.submit(() -> group.run(() -> {
            writerBusy.countDown();
            await(release);   // holds the one writer while the next steps queue up behind it
            ledger.jdbc().update("INSERT INTO step_outcome VALUES (0, 'first')");
        }));
        assertThat(writerBusy.await(10, TimeUnit.SECONDS)).isTrue();

        Map<Integer, String> toldOn = new ConcurrentHashMap<>();
        List<Future<?>> steps = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            int step = i;
            steps.add(workers.submit(() -> group.run(() -> {
                ledger.jdbc().update("INSERT INTO step_outcome VALUES (?, 'grouped')", step);
                ledger.afterCommit(() -> toldOn.put(step, Thread.currentThread().getName()));
                if (step == 7) {
                    throw new IllegalStateException("step 7 fails after its insert");
                }
            })));
        }
        Thread.sleep(300); // the ten steps queue behind the held group
        release.countDown();
        first.get(10, TimeUnit.SECONDS);

        List<String> failures = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            try {
                steps.get(i).get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add((i + 1) + ": " + e.getCause().getMessage());
            }
        }
        assertThat(failures).containsExactly("7: step 7 fails after its insert");
        assertThat(ledger.jdbc().queryForList("SELECT step FROM step_outcome ORDER BY step", Integer.class))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 8, 9, 10);
        assertThat(toldOn).doesNotContainKey(7).hasSize(9);
        assertThat(toldOn.values()).allSatisfy(thread -> assertThat(thread).doesNotStartWith("ledger group commit"));
    }

    @Test
    void aStepAfterTheGroupCommitStoppedFailsSayingSo() throws Exception {
        group.close();

        assertThatThrownBy(() -> group.run(() -> ledger.jdbc().update("INSERT INTO step_outcome VALUES (1, 'late')")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("group commit is stopped");
        assertThat(ledger.jdbc().queryForObject("SELECT COUNT(*) FROM step_outcome", Integer.class)).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
