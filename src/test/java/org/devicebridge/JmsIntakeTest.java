package org.devicebridge;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.devicebridge.fanout.EventStreams;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.NewCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Queues on the embedded broker: the real bridge with its embedded Artemis broker, and a real JMS
 * client (Artemis core protocol over the broker's loopback TCP port) as producer and subscriber.
 * The tests of the intake queue share one bridge, each with request ids and devices of its own,
 * and each starts once the earlier ones are done, so that it may count what the ledger holds; the
 * test of the events topic has a bridge of its own, so that the topic carries its events alone. The
 * rounds of the events template are shown on the shared bridge, with a stream of their own to a mock endpoint.
 */
class JmsIntakeTest extends AccessFlowTestSupport {

    private static final String INTAKE = "bridge.intake";
    private static final String DEAD_LETTERS = "bridge.intake.DLQ";
    private static final String EVENTS = "bridge.events";

    private JmsTestClient client;
    private int sharedBrokerPort;

    @Override
    Map<String, String> sharedBridgeProperties() {
        sharedBrokerPort = TestBridge.freePort();
        return withBrokerOn(sharedBrokerPort);
    }

    @BeforeEach
    void earlierTestsDone() {
        awaitEarlierTestsDone();
    }

    @AfterEach
    void closeClient() throws JMSException {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Test
    void takesABatchFromTheQueueAndRunsIt() throws Exception {
        onTheSharedBridge();

        client.send(INTAKE, Batches.document("queued-1", Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2")));

        List<CommandRecord> commands = awaitFinal("queued-1", 2);
        assertThat(commands).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(bridge.commandStore().request("queued-1").orElseThrow().source()).isEqualTo("jms");
        assertThat(client.browse(INTAKE)).isEmpty();
    }

    @Test
    void theSameBatchSentTwiceCreatesNothingNew() throws Exception {
        onTheSharedBridge();
        String document = "{\"actions\":[" + Batches.credentials("a1", "twice-door-1") + "]}"; // no request_id: derived from the content
        int requestsBefore = count("bridge_request");
        int commandsBefore = count("bridge_command");
        NotifyBuilder bothTaken = new NotifyBuilder(bridge.context()).fromRoute("intake-queue").whenCompleted(2).create();

        client.send(INTAKE, document);
        client.send(INTAKE, document);

        assertThat(bothTaken.matches(20, TimeUnit.SECONDS)).isTrue();
        String requestId = "jms:" + BatchReader.digest(document).substring(0, 16);
        assertThat(awaitFinal(requestId, 1)).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(count("bridge_request") - requestsBefore).isEqualTo(1);
        assertThat(count("bridge_command") - commandsBefore).isEqualTo(1);
        assertThat(cloud.createCount("twice-door-1")).isEqualTo(1);
    }

    @Test
    void movesAMessageThatIsNoBatchToTheDeadLetterQueueWithTheReasonAndNoRetry() throws Exception {
        onTheSharedBridge();
        int requestsBefore = count("bridge_request");
        NotifyBuilder bothDone = new NotifyBuilder(bridge.context()).fromRoute("intake-queue").whenDone(2).create();
        NotifyBuilder anyFailed = new NotifyBuilder(bridge.context()).fromRoute("intake-queue").whenFailed(1).create();

        client.send(INTAKE, "{\"request_id\":\"broken\",\"actions\":[");
        Message dead = client.receive(DEAD_LETTERS, Duration.ofSeconds(20));

        assertThat(dead).isNotNull();
        assertThat(((TextMessage) dead).getText()).isEqualTo("{\"request_id\":\"broken\",\"actions\":[");
        assertThat(dead.getStringProperty("BridgeRejectReason")).startsWith("malformed JSON");
        client.send(INTAKE, "[1, 2, 3]");
        dead = client.receive(DEAD_LETTERS, Duration.ofSeconds(20));
        assertThat(dead.getStringProperty("BridgeRejectReason"))
                .isEqualTo("not a batch document: the body must be a JSON object with an \"actions\" array");
        // neither was rolled back (so neither comes again): both exchanges ended without error; nothing is left
        assertThat(bothDone.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(anyFailed.matches()).isFalse();
        assertThat(client.browse(INTAKE)).isEmpty();
        assertThat(client.browse(DEAD_LETTERS)).isEmpty();
        assertThat(count("bridge_request")).isEqualTo(requestsBefore);
    }

    @Test
    void movesAMessageReusingARequestIdForAnotherDocumentToTheDeadLetterQueueAndCreatesNothing() throws Exception {
        onTheSharedBridge();
        String first = Batches.document("reused-1", Batches.credentials("a1", "door-1"));
        String other = Batches.document("reused-1", Batches.credentials("a1", "door-7"), Batches.credentials("a2", "door-8"));
        NotifyBuilder threeDone = new NotifyBuilder(bridge.context()).fromRoute("intake-queue").whenDone(3).create();
        client.send(INTAKE, first);
        awaitFinal("reused-1", 1);

        client.send(INTAKE, other);
        Message dead = client.receive(DEAD_LETTERS, Duration.ofSeconds(20));
        client.send(INTAKE, first);                        // the same document again: a replay, taken and dropped

        assertThat(dead).isNotNull();
        assertThat(((TextMessage) dead).getText()).isEqualTo(other);
        assertThat(dead.getStringProperty("BridgeRejectReason"))
                .isEqualTo("request_id 'reused-1': taken in before from a different document; a new document needs a new request_id");
        assertThat(threeDone.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(client.browse(INTAKE)).isEmpty();
        assertThat(bridge.commands("reused-1")).extracting(CommandRecord::device).containsExactly("door-1");
        assertThat(cloud.createCount("door-7")).isZero();
    }

    @Test
    void publishesEveryStateChangeAndTheSummaryToTheEventsTopic() throws Exception {
        startBridgeWithBroker();
        JmsTestClient.Subscription events = client.subscribe(EVENTS);

        client.send(INTAKE, Batches.document("topic-1", Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2")));
        List<CommandRecord> commands = awaitFinal("topic-1", 2);
        List<JmsTestClient.Event> received = events.until(e -> e.id().equals("summary-topic-1"), Duration.ofSeconds(20));

        assertThat(received).extracting(JmsTestClient.Event::id).containsExactlyElementsOf(expectedEventIds("topic-1"));
        assertThat(received).allSatisfy(e -> {
            assertThat(e.json().path("event_id").asText()).isEqualTo(e.id());
            assertThat(e.json().path("event_type").asText()).isEqualTo(e.type());
            assertThat(e.requestId()).isEqualTo("topic-1");
            assertThat(e.json().path("occurred_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        });
        for (CommandRecord c : commands) {
            assertThat(received).filteredOn(e -> e.json().path("data").path("command_id").asText().equals(c.id()))
                    .allSatisfy(e -> assertThat(e.type()).isEqualTo("COMMAND_STATUS_UPDATED"))
                    .extracting(e -> e.json().path("data").path("state").asText())
                    .containsExactlyElementsOf(path(bridge, c.id()).stream().map(CommandState::label).toList());
        }
        JmsTestClient.Event summary = received.get(received.size() - 1);
        assertThat(summary.type()).isEqualTo("REQUEST_SUMMARY");
        assertThat(summary.json().path("data").path("total").asInt()).isEqualTo(2);
        assertThat(summary.json().path("data").path("succeeded").asInt()).isEqualTo(2);
    }

    @Test
    void passesOverTheTopicsEventsWhileNothingSubscribesAndSendsEveryOneOnceSomethingDoes() throws Exception {
        startBridgeWithBroker();
        EventStreams streams = bridge.context().getRegistry().lookupByNameAndType("eventStreams", EventStreams.class);

        client.send(INTAKE, Batches.document("unheard-1", Batches.credentials("a1", "door-1")));
        awaitFinal("unheard-1", 1);
        List<String> unheard = expectedEventIds("unheard-1");
        // nothing subscribed: the stream's cursor goes past the request's events and its summary, none made or sent
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> streams.passedOver("jms-topic") >= unheard.size());

        JmsTestClient.Subscription events = client.subscribe(EVENTS);
        client.send(INTAKE, Batches.document("heard-1", Batches.credentials("a1", "door-2")));
        awaitFinal("heard-1", 1);
        List<JmsTestClient.Event> received = events.until(e -> e.id().equals("summary-heard-1"), Duration.ofSeconds(20));

        assertThat(received).extracting(JmsTestClient.Event::id).containsExactlyElementsOf(expectedEventIds("heard-1"));
        assertThat(streams.passedOver("jms-topic")).as("none of the subscribed request's").isEqualTo(unheard.size());
    }

    @Test
    void sendsTheRoundsOfEventsAfterOneThatHadEventsAtOnceNotOnePerTick() throws Exception {
        onTheSharedBridge();
        String[] actions = new String[40];
        for (int i = 0; i < actions.length; i++) {
            actions[i] = Batches.credentials("a" + i, "rounds-door-" + i);
        }
        client.send(INTAKE, Batches.document("rounds-1", actions));
        awaitFinal("rounds-1", actions.length, Duration.ofSeconds(60));
        // and reported: its summary event is in the log too, so that every event is there before the stream's first look
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> jdbc().queryForObject("SELECT COUNT(*) FROM bridge_finished_request WHERE request_id = ?", Integer.class, "rounds-1") == 1);
        List<String> expected = expectedEventIds("rounds-1");
        assertThat(expected).hasSizeGreaterThan(2 * 100); // more than two rounds' worth (100 events a round)
        MockEndpoint out = bridge.context().getEndpoint("mock:rounds", MockEndpoint.class);

        // a stream of the events template with a tick of 10 minutes: its first look comes 1 s after it starts, and only
        // that one comes from the tick; each round that had events is followed at once by the next
        TemplatedRouteBuilder.builder(bridge.context(), "device-bridge-events").routeId("events-rounds")
                .parameter("out", "mock:rounds").parameter("stream", "rounds").parameter("tick", "600000").add();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> out.getExchanges().stream()
                .anyMatch(e -> "summary-rounds-1".equals(e.getMessage().getHeader("BridgeEventId"))));
        assertThat(out.getExchanges()).extracting(e -> e.getMessage().getHeader("BridgeEventId", String.class))
                .filteredOn(id -> expected.contains(id)).containsExactlyElementsOf(expected);
        bridge.context().getRouteController().stopRoute("events-rounds");
        bridge.context().removeRoute("events-rounds");
    }

    @Test
    void keepsABatchWhoseIntakeFailedHalfwayAndTakesItInWhenItComesAgain() throws Exception {
        onTheSharedBridge();
        // an earlier delivery got as far as opening the request; now the ledger refuses the batch of actions
        // (another transaction holds its row: the insert times out) until the test lets go
        String requestId = "halfway-1";
        bridge.commandStore().openRequest(requestId, "jms", null);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread holder = new Thread(() -> new TransactionTemplate(new DataSourceTransactionManager(dataSource())).executeWithoutResult(tx -> {
            bridge.commandStore().recordCommand(new NewCommand(ActionIntake.commandId(requestId, 1, 0), requestId, 1, 0, "holder", null,
                    "credentials", "halfway-door-2", CommandState.QUEUED, "{}", "CREATE", Instant.now().plusSeconds(3600), null, null));
            held.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tx.setRollbackOnly();
        }));
        holder.start();
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        NotifyBuilder failed = new NotifyBuilder(bridge.context()).fromRoute("intake-queue").whenFailed(1).create();
        NotifyBuilder taken = new NotifyBuilder(bridge.context()).fromRoute("intake-queue").whenCompleted(1).create();

        client.send(INTAKE, Batches.document(requestId, Batches.credentials("a1", "halfway-door-1"),
                Batches.credentials("a2", "halfway-door-2"), Batches.credentials("a3", "halfway-door-3")));

        assertThat(failed.matches(20, TimeUnit.SECONDS)).isTrue();
        // its records are written in one transaction (hundreds per transaction): the failed one left nothing behind
        assertThat(bridge.commands(requestId)).isEmpty();
        assertThat(bridge.commandStore().request(requestId).orElseThrow().intakeComplete()).isFalse();
        letGo.countDown();
        holder.join();

        assertThat(taken.matches(30, TimeUnit.SECONDS)).isTrue(); // the broker delivered it again
        List<CommandRecord> commands = awaitFinal(requestId, 3);
        assertThat(commands).extracting(CommandRecord::device).containsExactly("halfway-door-1", "halfway-door-2", "halfway-door-3");
        assertThat(commands).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(List.of("halfway-door-1", "halfway-door-2", "halfway-door-3"))
                .allSatisfy(door -> assertThat(cloud.createCount(door)).isEqualTo(1));
        assertThat(client.browse(INTAKE)).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** The class's bridge on the access-cloud simulator, its embedded broker also on a loopback port; a client connected there. */
    private void onTheSharedBridge() throws JMSException {
        sharedBridge();
        client = new JmsTestClient(new ActiveMQConnectionFactory("tcp://127.0.0.1:" + sharedBrokerPort));
    }

    /** A bridge of the test's own, likewise. */
    private void startBridgeWithBroker() throws JMSException {
        int port = TestBridge.freePort();
        startBridge(s -> s, withBrokerOn(port));
        client = new JmsTestClient(new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port));
    }

    private static Map<String, String> withBrokerOn(int port) {
        Map<String, String> properties = new HashMap<>(TestBridge.WITH_BROKER);
        properties.put("bridge.jms.embedded-port", String.valueOf(port));
        return properties;
    }

    private int count(String table) {
        return jdbc().queryForObject("SELECT COUNT(*) FROM " + table, Integer.class);
    }

    /** The request's state changes as the ledger holds them, as event ids, then its summary. */
    private List<String> expectedEventIds(String requestId) {
        List<String> ids = new ArrayList<>(jdbc().queryForList("SELECT t.id FROM bridge_transition t "
                + "JOIN bridge_command c ON c.list_no = t.command_no WHERE c.request_id = ? AND c.internal = FALSE ORDER BY t.id",
                Long.class, requestId).stream().map(id -> "transition-" + id).toList());
        ids.add("summary-" + requestId);
        return ids;
    }

    private DataSource dataSource() {
        return bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", DataSource.class);
    }

    private JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource());
    }
}
