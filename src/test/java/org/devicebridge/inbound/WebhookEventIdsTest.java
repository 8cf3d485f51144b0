package org.devicebridge.inbound;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.ledger.LedgerDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The webhook receiver's store of applied event ids, on the ledger's real (H2) database. */
class WebhookEventIdsTest {

    private final HikariDataSource database = LedgerDatabase.open("jdbc:h2:mem:events-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
            "sa", "", null, 4);
    private final WebhookEventIds ids = new WebhookEventIds(database, "access-webhook-events");

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void addsAnEventIdOnceAndKnowsItAfterwards() {
        assertThat(ids.add("evt-1")).isTrue();
        assertThat(ids.add("evt-1")).isFalse();
        assertThat(ids.contains("evt-1")).isTrue();
    }

    @Test
    void countsTheSecondOfTwoConcurrentDeliveriesAsADuplicateInsteadOfFailing() throws Exception {
        // the first delivery has inserted the id but not committed yet; the second then finds no row,
        // tries to insert it too, waits for the first, and meets the unique key
        try (Connection first = database.getConnection()) {
            first.setAutoCommit(false);
            try (PreparedStatement insert = first.prepareStatement(
                    "INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt) VALUES (?, ?, ?)")) {
                insert.setString(1, "access-webhook-events");
                insert.setString(2, "evt-2");
                insert.setTimestamp(3, new Timestamp(System.currentTimeMillis()));
                insert.executeUpdate();
            }
            CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> ids.add("evt-2"));
            await().during(200, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(() -> !second.isDone());
            first.commit();

            assertThat(second.get(5, TimeUnit.SECONDS)).isFalse();
        }
        assertThat(ids.contains("evt-2")).isTrue();
    }
}
