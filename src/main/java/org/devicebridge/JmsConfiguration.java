package org.devicebridge;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.fanout.EventStreams;
import org.devicebridge.observe.BrokerHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.CachingConnectionFactory;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Wires the bridge's own queues (routes/intake-queue.yaml, routes/events-topic.yaml) from
 * {@code bridge.jms.*}: the broker connection behind Camel's {@code jms} component. A configuration
 * class of its own, run by {@link BridgeConfiguration} in the stand-alone bridge (an application that embeds the bridge
 * brings its own endpoints instead).
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
public final class JmsConfiguration extends ConcernConfiguration {

    /** Derived, not configured: whether the intake queue's route starts ({@code bridge.jms.enabled} and not {@code --once}). */
    static final String INTAKE_STARTUP = "bridge.jms.intake-startup";
    /** The routes that need the broker (routes/intake-queue.yaml, routes/events-topic.yaml): not added when the queues are off. */
    private static final Set<String> QUEUE_ROUTES = Set.of("intake-queue", "events-topic");
    /** The events topic's stream (its cursor), as routes/events-topic.yaml names it. */
    static final String TOPIC_STREAM = "jms-topic";

    private static final Logger LOG = LoggerFactory.getLogger(JmsConfiguration.class);

    @BeanInject("redactor")
    Redactor redactor;

    /** What the bridge opened so far (the broker joins it), closed together if the configuration fails. */
    private final OpenedResources opened;

    JmsConfiguration(OpenedResources opened) {
        this.opened = opened;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = settings();
        boolean enabled = settings.bool("bridge.jms.enabled");
        boolean once = settings.bool("bridge.once");
        // whether routes/intake-queue.yaml starts: a one-shot run takes in its inbox only, the queue waits for the
        // long-running bridge (the events topic still gets what the run does)
        context.getPropertiesComponent().addOverrideProperty(INTAKE_STARTUP, String.valueOf(enabled && !once));
        if (!enabled) {
            // not merely not started: a JMS consumer is made when its route is, and without a broker there is no connection factory
            leaveOutQueueRoutes(context);
            LOG.info("queues off (bridge.jms.enabled=false): no intake queue, no events topic");
            return;
        }
        if (once) {
            LOG.info("--once: the intake queue is not read (a one-shot run takes in what is in the inbox)");
        }
        String intakeQueue = settings.required("bridge.jms.intake-queue");
        String deadLetterQueue = settings.required("bridge.jms.dead-letter-queue");
        String topic = settings.required("bridge.jms.events-topic");
        String url = settings.get("bridge.jms.url", null);

        ConnectionFactory target;
        String broker;
        EmbeddedBroker embedded = null;
        if (url == null) {
            Path dataDir = Path.of(settings.required("bridge.jms.data-dir"));
            String port = settings.get("bridge.jms.embedded-port", null);
            embedded = EmbeddedBroker.start(dataDir, port == null ? null : settings.integer("bridge.jms.embedded-port", 0, 65535),
                    intakeQueue, deadLetterQueue);
            opened.closeOnStop("embedded-broker", embedded);
            target = new ActiveMQConnectionFactory(embedded.inVmUrl());
            broker = "the embedded broker " + embedded.id();
            sendEventsOnlyWhileSubscribed(context, embedded, topic);
        } else {
            String password = settings.secret("bridge.jms.password").orElse(null);
            redactor.addSecret(password);
            target = connectionFactory(url, settings.get("bridge.jms.user", null), password);
            broker = redactor.url(url);
        }
        // one shared connection, sessions and producers cached: the events topic sends one message per event
        CachingConnectionFactory factory = new CachingConnectionFactory(target);
        factory.setSessionCacheSize(5);
        opened.closeOnStop("jms-connections", factory::destroy); // closed before the broker
        context.getRegistry().bind("jmsConnectionFactory", factory);
        JmsComponent jms = context.getComponent("jms", JmsComponent.class);
        jms.setConnectionFactory(factory);
        jms.setLazyCreateTransactionManager(false); // transacted=true: the consumer session's own local transaction
        context.addStartupListener((ctx, alreadyStarted) -> {
            HealthCheckRegistry health = HealthCheckRegistry.get(ctx);
            if (health != null) {
                health.register(new BrokerHealthCheck(factory, broker));
            }
        });
        LOG.info("queues: batches from {}, poison messages to {}, events to topic {}, on {}", intakeQueue, deadLetterQueue, topic, broker);
    }

    /**
     * The embedded broker drops an event sent to the topic while nothing subscribes to it; the events topic
     * (its stream, {@value #TOPIC_STREAM}) then passes over its events instead of making and sending them. An
     * external broker is always sent every event (the bridge cannot see its subscriptions).
     */
    private static void sendEventsOnlyWhileSubscribed(CamelContext context, EmbeddedBroker broker, String topic) throws Exception {
        context.addStartupListener((ctx, alreadyStarted) -> {
            EventStreams streams = ctx.getRegistry().lookupByNameAndType("eventStreams", EventStreams.class);
            if (streams != null) {
                streams.sendOnlyWhileListened(TOPIC_STREAM, () -> broker.hasBindings(topic));
            }
        });
    }

    /** The queue routes are not added to the context; any other route filter (camel.main.route-filter-*) still applies. */
    private static void leaveOutQueueRoutes(CamelContext context) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        Function<RouteDefinition, Boolean> configured = model.getRouteFilter();
        model.setRouteFilter(route -> (route.getRouteId() == null || !QUEUE_ROUTES.contains(route.getRouteId()))
                && (configured == null || configured.apply(route)));
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
}
