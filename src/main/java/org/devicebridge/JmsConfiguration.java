package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.devicebridge.cloud.BackoffSchedule;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.fanout.TopicFanout;
import org.devicebridge.fanout.WebhookEvents;
import org.devicebridge.fanout.WebhookLedger;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.intake.QueueIntake;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.results.CommandView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.CachingConnectionFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Wires the queues (routes/intake-queue.yaml, routes/events-topic.yaml) from {@code bridge.jms.*}:
 * the broker connection behind Camel's {@code jms} component, the {@code queueIntake} bean and the
 * {@code eventsTopic} fan-out. Called from {@link BridgeConfiguration}.
 * <ul>
 *   <li>{@code bridge.jms.url} blank: the {@link EmbeddedBroker} (Artemis, journal under
 *       {@code bridge.jms.data-dir}), reached in-VM;</li>
 *   <li>{@code tcp://host:61616}: an Artemis broker over its core protocol;</li>
 *   <li>{@code amqp://host:5672}, {@code amqps://}, {@code failover:(amqp://..)}: any AMQP 1.0
 *       broker (Artemis, ActiveMQ, RabbitMQ, Qpid, Azure Service Bus ...) through Qpid JMS.</li>
 * </ul>
 * The intake consumer is transacted ({@code bridge.jms.transacted}, a local JMS transaction of the
 * consumer's session, no transaction manager): the message is acknowledged when the route ends
 * without error, i.e. after its actions are in the ledger, and a poison message's move to the
 * dead-letter queue commits together with its acknowledgement (the send joins the consumer's
 * session). For brokers without transactions (RabbitMQ's AMQP 1.0), {@code transacted=false}
 * acknowledges each message (CLIENT_ACKNOWLEDGE) when the route ends without error instead.
 */
public final class JmsConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(JmsConfiguration.class);
    private static final int EVENTS_PER_ROUND = 100;
    private static final Duration EVENTS_LEASE = Duration.ofMinutes(1);

    private JmsConfiguration() {
    }

    public static void configure(CamelContext context, Settings settings, ActionIntake intake, DataSource dataSource, Ledger ledger,
                                 CommandView view, BackoffSchedule backoff, Redactor redactor, ObjectMapper mapper) throws Exception {
        context.getRegistry().bind("queueIntake", new QueueIntake(intake, mapper));
        if (!settings.bool("bridge.jms.enabled", true)) {
            // the routes stay stopped (autoStartup), but they name these beans
            context.getRegistry().bind("eventsTopic", topicFanout("topic:off", dataSource, ledger, view, backoff, redactor, mapper));
            LOG.info("queues off (bridge.jms.enabled=false): no intake queue, no events topic");
            return;
        }
        String intakeQueue = settings.get("bridge.jms.intake-queue", "bridge.intake");
        String deadLetterQueue = settings.get("bridge.jms.dead-letter-queue", "bridge.intake.DLQ");
        String topic = settings.get("bridge.jms.events-topic", "bridge.events");
        String url = settings.get("bridge.jms.url", null);

        ConnectionFactory target;
        String broker;
        EmbeddedBroker embedded = null;
        if (url == null) {
            Path dataDir = Path.of(settings.get("bridge.jms.data-dir", "data/broker"));
            String port = settings.get("bridge.jms.embedded-port", null);
            embedded = EmbeddedBroker.start(dataDir, port == null ? null : settings.integer("bridge.jms.embedded-port", 0),
                    intakeQueue, deadLetterQueue);
            target = new ActiveMQConnectionFactory(embedded.inVmUrl());
            broker = "the embedded broker " + embedded.id();
        } else {
            String password = settings.secret("bridge.jms.password").orElse(null);
            redactor.addSecret(password);
            target = connectionFactory(url, settings.get("bridge.jms.user", null), password);
            broker = redactor.url(url);
        }
        // one shared connection, sessions and producers cached: the events topic sends one message per event
        CachingConnectionFactory factory = new CachingConnectionFactory(target);
        factory.setSessionCacheSize(5);
        stopWithContext(context, factory, embedded);
        context.getRegistry().bind("jmsConnectionFactory", factory);
        JmsComponent jms = context.getComponent("jms", JmsComponent.class);
        jms.setConnectionFactory(factory);
        jms.setLazyCreateTransactionManager(false); // transacted=true: the consumer session's own local transaction

        // the topic's cursor is per topic and broker: instances sharing a broker send each event once
        String cursor = "topic:" + clip(topic, 60) + "@" + BatchReader.digest(broker + " " + topic).substring(0, 12);
        TopicFanout events = topicFanout(cursor, dataSource, ledger, view, backoff, redactor, mapper);
        events.register("jms:topic:" + clip(topic, 200) + " on " + broker);
        context.getRegistry().bind("eventsTopic", events);
        LOG.info("queues: batches from {}, poison messages to {}, events to topic {}, on {}", intakeQueue, deadLetterQueue, topic, broker);
    }

    /** The client for an external broker, by the URL's scheme. */
    static ConnectionFactory connectionFactory(String url, String user, String password) {
        String scheme = url.toLowerCase(Locale.ROOT);
        if (scheme.startsWith("amqp://") || scheme.startsWith("amqps://") || scheme.startsWith("amqpws://")
                || scheme.startsWith("amqpwss://") || scheme.startsWith("failover:")) {
            // receiveLocalOnly: an idle receive does not "drain" the link (RabbitMQ 3.x closes the link on a drain);
            // requestTimeout: a broker that never answers (e.g. one without transactions) is an error, not a hang
            String options = option(url, "jms.receiveLocalOnly", "true") + option(url, "jms.requestTimeout", "30000");
            String withOptions = options.isEmpty() ? url : url + (url.contains("?") ? "&" : "?") + options.substring(1);
            return new JmsConnectionFactory(user, password, withOptions);
        }
        if (scheme.startsWith("tcp://") || scheme.startsWith("(tcp://")) {
            return new ActiveMQConnectionFactory(url, user, password);
        }
        throw new BadConfigurationException("bridge.jms.url", "must start with tcp:// (Artemis, core protocol) or amqp:// / amqps:// "
                + "(AMQP 1.0); blank: the embedded broker");
    }

    private static String option(String url, String name, String value) {
        return url.contains(name + "=") ? "" : "&" + name + "=" + value;
    }

    private static TopicFanout topicFanout(String cursor, DataSource dataSource, Ledger ledger, CommandView view, BackoffSchedule backoff,
                                           Redactor redactor, ObjectMapper mapper) {
        WebhookLedger log = new WebhookLedger(dataSource);
        return new TopicFanout(cursor, log, new WebhookEvents(ledger, view, mapper), ledger, backoff, redactor, mapper,
                EVENTS_PER_ROUND, EVENTS_LEASE);
    }

    private static String clip(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }

    /** With the Camel context (after the routes): the cached connection, then the embedded broker. */
    private static void stopWithContext(CamelContext context, CachingConnectionFactory factory, EmbeddedBroker embedded) throws Exception {
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                factory.destroy();
                if (embedded != null) {
                    embedded.close();
                }
            }

            @Override
            public String toString() {
                return "jms-broker";
            }
        }, true, true);
    }
}
