package org.devicebridge;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.apache.camel.builder.NotifyBuilder;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queues on an external AMQP 1.0 broker: the local RabbitMQ (see {@link AmqpAvailability}), the
 * bridge connected by {@code bridge.jms.url=amqp://..} (Qpid JMS), and a Qpid JMS client as
 * producer and subscriber. RabbitMQ's AMQP 1.0 has no transactions, so the bridge runs with
 * {@code bridge.jms.transacted=false}: each message is acknowledged once its actions are in the
 * ledger. A topic there is {@code /topic/<name>} (the amq.topic exchange; a plain name is a queue),
 * so the URL says {@code jms.topicPrefix=/topic/}.
 */
class JmsAmqpRabbitMqTest extends AccessFlowTestSupport {

    private static final String INTAKE = "bridge-test.intake";
    private static final String DEAD_LETTERS = "bridge-test.intake.DLQ";
    private static final String EVENTS = "bridge-test.events";
    private static final String URL = AmqpAvailability.url() + (AmqpAvailability.url().contains("?") ? "&" : "?")
            + "jms.topicPrefix=/topic/";

    private JmsTestClient client;

    @BeforeEach
    void connect() throws JMSException {
        AmqpAvailability.assumeAvailable();
        client = new JmsTestClient(JmsConfiguration.connectionFactory(URL, AmqpAvailability.user(), AmqpAvailability.password()));
        client.drain(INTAKE);        // what an earlier, interrupted run may have left
        client.drain(DEAD_LETTERS);
    }

    @AfterEach
    void closeClient() throws JMSException {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Test
    void takesABatchFromTheQueueAndPublishesItsEventsToTheTopic() throws Exception {
        startBridgeOnRabbitMq();
        JmsTestClient.Subscription events = client.subscribe(EVENTS);

        client.send(INTAKE, Batches.document("rabbit-1", Batches.credentials("a1", "door-1"), Batches.credentials("a2", "door-2")));

        List<CommandRecord> commands = awaitFinal("rabbit-1", 2);
        assertThat(commands).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(bridge.commandStore().request("rabbit-1").orElseThrow().source()).isEqualTo("jms");
        List<JmsTestClient.Event> received = events.until(e -> e.id().equals("summary-rabbit-1"), Duration.ofSeconds(20));
        List<String> transitions = jdbc().queryForList("SELECT t.id FROM bridge_transition t JOIN bridge_command c "
                + "ON c.list_no = t.command_no WHERE c.request_id = 'rabbit-1' ORDER BY t.id", Long.class).stream()
                .map(id -> "transition-" + id).toList();
        assertThat(received).extracting(JmsTestClient.Event::id).containsSubsequence(transitions);
        assertThat(received).filteredOn(e -> e.type().equals("COMMAND_STATUS_UPDATED"))
                .extracting(e -> e.json().path("data").path("state").asText()).contains("Command Success");
        JmsTestClient.Event summary = received.get(received.size() - 1);
        assertThat(summary.type()).isEqualTo("REQUEST_SUMMARY");
        assertThat(summary.json().path("data").path("succeeded").asInt()).isEqualTo(2);
        assertAcknowledged();
    }

    @Test
    void movesAMessageThatIsNoBatchToTheDeadLetterQueueAndTakesTheSameBatchOnlyOnce() throws Exception {
        startBridgeOnRabbitMq();
        NotifyBuilder threeTaken = new NotifyBuilder(bridge.context()).fromRoute("intake-queue").whenCompleted(3).create();

        client.send(INTAKE, "not json at all");
        String document = Batches.document("rabbit-2", Batches.credentials("a1", "door-1"));
        client.send(INTAKE, document);
        client.send(INTAKE, document);

        Message dead = client.receive(DEAD_LETTERS, Duration.ofSeconds(20));
        assertThat(dead).isNotNull();
        assertThat(((TextMessage) dead).getText()).isEqualTo("not json at all");
        assertThat(dead.getStringProperty("BridgeRejectReason")).startsWith("malformed JSON");
        assertThat(threeTaken.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(awaitFinal("rabbit-2", 1)).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(cloud.createCount("door-1")).isEqualTo(1);
        assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM bridge_request", Integer.class)).isEqualTo(1);
        assertAcknowledged();
    }

    /** Once the bridge has let go of the queue, a message it had not acknowledged would be there again. */
    private void assertAcknowledged() throws JMSException {
        bridge.stop();
        assertThat(client.receive(INTAKE, Duration.ofSeconds(1))).isNull();
    }

    private void startBridgeOnRabbitMq() {
        Map<String, String> p = new HashMap<>(TestBridge.WITH_BROKER);
        p.put("bridge.jms.url", URL);
        p.put("bridge.jms.user", AmqpAvailability.user());
        p.put("bridge.jms.password", AmqpAvailability.password());
        p.put("bridge.jms.transacted", "false");
        p.put("bridge.jms.intake-queue", INTAKE);
        p.put("bridge.jms.dead-letter-queue", DEAD_LETTERS);
        p.put("bridge.jms.events-topic", EVENTS);
        startBridge(s -> s, p);
    }

    private JdbcTemplate jdbc() {
        return new JdbcTemplate(bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", DataSource.class));
    }
}
