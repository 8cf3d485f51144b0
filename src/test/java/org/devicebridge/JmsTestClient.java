package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * A real JMS client of the broker under test, as a producer or subscriber of the bridge would
 * use it: sends batch documents, reads the dead-letter queue, subscribes to the events topic.
 */
final class JmsTestClient implements AutoCloseable {

    private final Connection connection;
    private final Session session;

    JmsTestClient(ConnectionFactory factory) throws JMSException {
        this.connection = factory.createConnection();
        this.session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        connection.start();
    }

    /** Sends a text message; returns its JMSMessageID. */
    String send(String queue, String text) throws JMSException {
        TextMessage message = session.createTextMessage(text);
        try (var producer = session.createProducer(session.createQueue(queue))) {
            producer.send(message);
        }
        return message.getJMSMessageID();
    }

    /** The next message of the queue, or null when none comes within {@code wait}. */
    Message receive(String queue, Duration wait) throws JMSException {
        try (MessageConsumer consumer = session.createConsumer(session.createQueue(queue))) {
            return consumer.receive(wait.toMillis());
        }
    }

    /** Takes whatever an earlier run left on the queue. */
    void drain(String queue) throws JMSException {
        try (MessageConsumer consumer = session.createConsumer(session.createQueue(queue))) {
            while (consumer.receive(300) != null) {
                // dropped
            }
        }
    }

    /** The messages waiting on the queue (not taken). */
    List<Message> browse(String queue) throws JMSException {
        try (QueueBrowser browser = session.createBrowser(session.createQueue(queue))) {
            return Collections.list(browser.getEnumeration()).stream().map(Message.class::cast).toList();
        }
    }

    /** A subscription to the topic from now on. */
    Subscription subscribe(String topic) throws JMSException {
        return new Subscription(session.createConsumer(session.createTopic(topic)));
    }

    @Override
    public void close() throws JMSException {
        connection.close();
    }

    /** One received event: its JSON and its JMS properties. */
    record Event(JsonNode json, String type, String id, String requestId) {
    }

    static final class Subscription {
        private final MessageConsumer consumer;
        private final List<Event> received = new ArrayList<>();

        Subscription(MessageConsumer consumer) {
            this.consumer = consumer;
        }

        /** Receives until an event matches {@code last} (within {@code wait}); returns every event so far, in arrival order. */
        List<Event> until(Predicate<Event> last, Duration wait) throws JMSException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (received.stream().noneMatch(last)) {
                long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
                Message m = left <= 0 ? null : consumer.receive(left);
                if (m == null) {
                    throw new AssertionError("no matching event within " + wait + "; received: " + received);
                }
                received.add(new Event(TestBridge.json(((TextMessage) m).getText()), m.getStringProperty("BridgeEventType"),
                        m.getStringProperty("BridgeEventId"), m.getStringProperty("BridgeRequestId")));
            }
            return List.copyOf(received);
        }
    }
}
