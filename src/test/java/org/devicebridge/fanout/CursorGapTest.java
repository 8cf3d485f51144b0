package org.devicebridge.fanout;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerDatabase;
import org.devicebridge.ledger.LedgerRows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cursor never moves past a transition whose transaction has not committed yet: transition ids are
 * given out when the rows are written, and with several writers a later id can commit first. The
 * cursor waits for the earlier one, and passes it over only once the row after it is the gap wait
 * old (a write rolled back).
 */
class CursorGapTest {

    static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");
    static final Duration GAP_WAIT = Duration.ofSeconds(10);
    static final String STREAM = "stream:gaps";

    private HikariDataSource dataSource;
    private JdbcTemplate jdbc;
    private SubscriberLedger cursors;

    @BeforeEach
    void ledger() {
        dataSource = LedgerDatabase.open("jdbc:h2:mem:gaps_" + UUID.randomUUID(), "sa", "", null, 3);
        jdbc = new JdbcTemplate(dataSource);
        LedgerRows.request(jdbc, "r1", false);
        LedgerRows.commands(jdbc, "r1", "Command Initiated", "POLL", "c1", "c2", "own");
        cursors = new SubscriberLedger(dataSource, GAP_WAIT);
        cursors.register(STREAM, "stream gaps", T0, T0); // the log is empty: the cursor stands at 0
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void aTransitionCommittedAfterALaterOneIsAnnouncedBeforeItNotSkipped() throws SQLException {
        try (Connection slow = dataSource.getConnection()) {
            slow.setAutoCommit(false);
            long first = insertTransition(slow, "c1", T0);        // written first, committed last
            long second = insertTransition("c2", T0);              // committed at once
            assertThat(second).isGreaterThan(first);

            assertThat(round(T0.plusSeconds(1))).as("the later transition waits for the earlier one").isEmpty();

            slow.commit();
            assertThat(round(T0.plusSeconds(2))).containsExactly(first, second);
        }
    }

    @Test
    void aWriteRolledBackIsPassedOverOnceTheRowAfterItIsTheGapWaitOld() throws SQLException {
        try (Connection failed = dataSource.getConnection()) {
            failed.setAutoCommit(false);
            insertTransition(failed, "c1", T0);
            failed.rollback();
        }
        long after = insertTransition("c2", T0);

        assertThat(round(T0.plus(GAP_WAIT).minusMillis(1))).isEmpty();
        assertThat(round(T0.plus(GAP_WAIT))).containsExactly(after);
    }

    @Test
    void theBridgesOwnTransitionsArePassedOverHoweverMany() {
        jdbc.update("UPDATE bridge_command SET internal = TRUE WHERE id = 'own'");
        for (int i = 0; i < 7; i++) {
            insertTransition("own", T0);
        }
        long announced = insertTransition("c1", T0);

        List<DeliveryRound> rounds = SubscriberFanout.leaseRounds(cursors, List.of(STREAM), T0, Duration.ofMinutes(1), 3);

        assertThat(rounds).singleElement().satisfies(r -> assertThat(r.deliveries()).extracting(Delivery::transitionId)
                .containsExactly(announced));
    }

    /** The transitions a round of the stream would announce now (none leased: the lease is let go at once). */
    private List<Long> round(Instant now) {
        List<DeliveryRound> rounds = SubscriberFanout.leaseRounds(cursors, List.of(STREAM), now, Duration.ofMinutes(1), 100);
        rounds.forEach(r -> cursors.release(r.subscriber(), r.leaseToken()));
        return rounds.stream().flatMap(r -> r.deliveries().stream()).map(Delivery::transitionId).toList();
    }

    private long insertTransition(String commandId, Instant at) {
        try (Connection c = dataSource.getConnection()) {
            return insertTransition(c, commandId, at);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long insertTransition(Connection connection, String commandId, Instant at) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO bridge_transition (command_no, at, to_state) VALUES ("
                + Ledger.COMMAND_NO + ", ?, 'Command Sent')", new String[] {"ID"})) {
            insert.setString(1, commandId);
            insert.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            insert.executeUpdate();
            try (var keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }
}
