package com.example.esb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMAcceptorFactory;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.devicebridge.embed.DeviceBridge;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bridge embedded in an existing Camel application, as an ESB team would do it: a plain
 * {@link DefaultCamelContext} of the application's, with its own broker and JMS component (named
 * {@code esb}), its own database pool, and its own routes; the bridge added by
 * {@link DeviceBridge#install} and fed through its route templates from the application's queue,
 * its events read from the application's topic. This test sits outside the bridge's packages and
 * uses only its public API. The access cloud is the simulator, over HTTP on loopback.
 */
class EmbeddedDeviceBridgeTest {

    private static final String API_KEY = "ak_embedded_5e6f7a8b9c";
    private static final String ORDERS = "esb.device-orders";
    private static final String STATUS_TOPIC = "esb.device-status";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private EmbeddedActiveMQ broker;
    private HikariDataSource database;
    private SimulatorServer simulator;
    private AccessCloudSimulator cloud;
    private CamelContext context;
    private final List<JsonNode> statusEvents = new CopyOnWriteArrayList<>();
    private final List<String> auditEvents = new CopyOnWriteArrayList<>();
    private final AtomicInteger auditFailures = new AtomicInteger(3);

    @BeforeEach
    void startTheApplicationsOwnParts() throws Exception {
        String vm = "vm://" + Math.abs(UUID.randomUUID().hashCode() % 100_000);
        broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl().setPersistenceEnabled(false).setSecurityEnabled(false)
                .setJMXManagementEnabled(false).addAcceptorConfiguration(new TransportConfiguration(InVMAcceptorFactory.class.getName(),
                        Map.of("serverId", vm.substring(5)))));
        broker.start();
        database = new HikariDataSource();
        database.setJdbcUrl("jdbc:h2:mem:esb-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        database.setPoolName("esb");
        simulator = SimulatorServer.start(0);
        cloud = simulator.addAccessCloud(AccessCloudSettings.builder(API_KEY).processingDelay(Duration.ofMillis(300)).build());

        context = new DefaultCamelContext();
        context.addComponent("esb", JmsComponent.jmsComponent(new ActiveMQConnectionFactory(vm)));
        DeviceBridge.install(context, database, bridgeSettings());
        TemplatedRouteBuilder.builder(context, DeviceBridge.BATCH_INTAKE).routeId("esb-device-orders")
                .parameter("in", "esb:queue:" + ORDERS)
                .parameter("deadLetter", "esb:queue:" + ORDERS + ".DLQ")
                .parameter("source", "esb")
                .add();
        TemplatedRouteBuilder.builder(context, DeviceBridge.EVENTS).routeId("esb-device-status")
                .parameter("out", "esb:topic:" + STATUS_TOPIC)
                .parameter("stream", "esb-status")
                .parameter("tick", "100")
                .add();
        TemplatedRouteBuilder.builder(context, DeviceBridge.EVENTS).routeId("esb-audit")
                .parameter("out", "direct:esb-audit")
                .parameter("stream", "esb-audit")
                .parameter("tick", "100")
                .add();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the application's own routes: a subscriber of its topic, and an audit sink that is down at first
                from("esb:topic:" + STATUS_TOPIC).routeId("esb-status-listener")
                        .process(e -> statusEvents.add(JSON.readTree(e.getIn().getBody(String.class))));
                from("direct:esb-audit").routeId("esb-audit-sink")
                        .process(e -> {
                            if (auditFailures.getAndDecrement() > 0) {
                                throw new IllegalStateException("audit store unavailable");
                            }
                            auditEvents.add(e.getIn().getHeader("BridgeEventId", String.class));
                        });
            }
        });
        context.start();
    }

    private Properties bridgeSettings() {
        Properties p = new Properties();
        p.setProperty("bridge.access.base-url", simulator.baseUrl() + "/access");
        p.setProperty("bridge.access.api-key", API_KEY);
        for (String folder : List.of("inbox", "outbox", "archive", "deadletter")) {
            p.setProperty("bridge." + folder + ".dir", dir.resolve(folder).toString());
        }
        p.setProperty("bridge.access.tick", "100");
        p.setProperty("bridge.poll.initial-interval", "200ms");
        p.setProperty("bridge.poll.max-interval", "1s");
        p.setProperty("bridge.results.check-interval", "200");
        p.setProperty("bridge.retry.initial-delay", "100ms");
        p.setProperty("bridge.retry.max-delay", "500ms");
        return p;
    }

    @AfterEach
    void stopAll() throws Exception {
        if (context != null) {
            context.stop();
        }
        if (simulator != null) {
            simulator.close();
        }
        if (database != null) {
            database.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void runsABatchFromTheApplicationsQueueAndPublishesItsStatusToTheApplicationsTopic() {
        ProducerTemplate producer = context.createProducerTemplate();

        producer.sendBody("esb:queue:" + ORDERS, """
                {"request_id":"esb-42","actions":[%s,%s]}""".formatted(credentials("door-1"), credentials("door-2")));

        JdbcTemplate ledger = new JdbcTemplate(database);
        await().atMost(Duration.ofSeconds(30)).until(() -> statusEvents.stream()
                .anyMatch(e -> e.path("event_type").asText().equals("REQUEST_SUMMARY")));
        assertThat(ledger.queryForList("SELECT state FROM bridge_command WHERE request_id = 'esb-42'", String.class))
                .containsExactly("Command Success", "Command Success");
        assertThat(ledger.queryForObject("SELECT source FROM bridge_request WHERE id = 'esb-42'", String.class)).isEqualTo("esb");
        assertThat(cloud.createCount("door-1")).isEqualTo(1);
        assertThat(cloud.createCount("door-2")).isEqualTo(1);
        Map<String, List<String>> statesByDevice = new HashMap<>();
        statusEvents.stream().filter(e -> e.path("event_type").asText().equals("COMMAND_STATUS_UPDATED"))
                .forEach(e -> statesByDevice.computeIfAbsent(e.path("data").path("device").asText(), d -> new ArrayList<>())
                        .add(e.path("data").path("state").asText()));
        assertThat(statesByDevice.keySet()).containsExactlyInAnyOrder("door-1", "door-2");
        assertThat(statesByDevice.values()).allSatisfy(states -> assertThat(states)
                .startsWith("Command Queued").endsWith("Command Success"));
        JsonNode summary = statusEvents.get(statusEvents.size() - 1);
        assertThat(summary.path("event_type").asText()).isEqualTo("REQUEST_SUMMARY");
        assertThat(summary.path("data").path("succeeded").asInt()).isEqualTo(2);
    }

    @Test
    void deliversEveryEventInOrderToAnEndpointThatFailedAtFirst() {
        context.createProducerTemplate().sendBody("esb:queue:" + ORDERS, """
                {"request_id":"esb-43","actions":[%s,%s]}""".formatted(credentials("door-3"), credentials("door-4")));

        await().atMost(Duration.ofSeconds(30)).until(() -> auditEvents.contains("summary-esb-43"));
        JdbcTemplate ledger = new JdbcTemplate(database);
        List<String> expected = new ArrayList<>(ledger.queryForList("SELECT t.id FROM bridge_transition t JOIN bridge_command c "
                + "ON c.list_no = t.command_no WHERE c.request_id = 'esb-43' ORDER BY t.id", Long.class).stream()
                .map(id -> "transition-" + id).toList());
        expected.add("summary-esb-43");
        assertThat(auditEvents).containsExactlyElementsOf(expected);
        assertThat(auditFailures.get()).isNegative();
        assertThat(ledger.queryForObject("SELECT MAX(attempts) FROM bridge_webhook_delivery WHERE subscriber = 'stream:esb-audit'",
                Integer.class)).isEqualTo(4);
    }

    @Test
    void sendsAMessageThatIsNoBatchToTheApplicationsDeadLetterQueueWithTheReason() {
        ProducerTemplate producer = context.createProducerTemplate();
        ConsumerTemplate consumer = context.createConsumerTemplate();

        producer.sendBody("esb:queue:" + ORDERS, "{\"actions\": \"not a list\"}");
        Exchange dead = consumer.receive("esb:queue:" + ORDERS + ".DLQ", 20_000);

        assertThat(dead).isNotNull();
        assertThat(dead.getIn().getBody(String.class)).isEqualTo("{\"actions\": \"not a list\"}");
        assertThat(dead.getIn().getHeader("BridgeRejectReason", String.class))
                .isEqualTo("not a batch document: the body must be a JSON object with an \"actions\" array");
        assertThat(new JdbcTemplate(database).queryForObject("SELECT COUNT(*) FROM bridge_request", Integer.class)).isZero();
    }

    @Test
    void keepsTheLedgerInTheApplicationsDatabaseAndLeavesItsJmsComponentAlone() {
        JdbcTemplate db = new JdbcTemplate(database);

        assertThat(db.queryForList("SELECT LOWER(table_name) FROM information_schema.tables WHERE LOWER(table_name) LIKE 'bridge_%'",
                String.class)).contains("bridge_request", "bridge_command", "bridge_transition");
        assertThat(context.getComponentNames()).doesNotContain("jms");
        assertThat(context.getRoutes()).extracting(r -> r.getRouteId())
                .contains("esb-device-orders", "esb-device-status", "access-dispatch", "results", "deadlines")
                .doesNotContain("intake-files", "intake-queue", "events-topic", "api-status-list");
    }

    private static String credentials(String device) {
        return """
                {"kind":"credentials","device":"%s","payload":{"credentials":[{"id":"c0ffee","holder":"Ada","schedule_ids":["office"]}],\
                "schedules":[{"id":"office","timezone":"Europe/Berlin","intervals":[{"days":["MON"],"start":"08:00","end":"18:00"}]}]}}"""
                .formatted(device);
    }
}
