package com.example.esb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.main.Main;
import org.devicebridge.simulator.SimulatorServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bridge in a Camel Main application configured by properties and YAML alone: the
 * application names {@code DeviceBridgeConfiguration} and its own DataSource bean, and its YAML
 * routes (src/test/resources/embedding/esb-routes.yaml) instantiate the templates on its own
 * endpoints.
 */
class EmbeddedInCamelMainTest {

    private static final String API_KEY = "ak_main_3c4d5e6f7a";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private SimulatorServer simulator;
    private Main main;

    @AfterEach
    void stopAll() {
        if (main != null) {
            main.stop();
        }
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void runsABatchAndAStreamedJsonLinesFileThroughTheTemplatesOfAYamlOnlyApplication() throws Exception {
        simulator = SimulatorServer.start(0);
        simulator.addAccessCloud(AccessCloudSettings.builder(API_KEY).processingDelay(Duration.ofMillis(200)).build());
        Properties p = new Properties();
        p.setProperty("camel.main.configuration-classes", "org.devicebridge.embed.DeviceBridgeConfiguration");
        p.setProperty("camel.main.routes-include-pattern", "classpath:embedding/esb-routes.yaml");
        p.setProperty("camel.beans.ledgerDb", "#class:com.zaxxer.hikari.HikariDataSource");
        p.setProperty("camel.beans.ledgerDb.jdbcUrl", "jdbc:h2:mem:main-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        p.setProperty("bridge.access.base-url", simulator.baseUrl() + "/access");
        p.setProperty("bridge.access.api-key", API_KEY);
        for (String folder : List.of("inbox", "outbox", "archive", "deadletter")) {
            p.setProperty("bridge." + folder + ".dir", dir.resolve(folder).toString());
        }
        p.setProperty("bridge.access.tick", "100");
        p.setProperty("bridge.poll.initial-interval", "200ms");
        main = new Main();
        main.setOverrideProperties(p);
        main.start();
        ConsumerTemplate consumer = main.getCamelContext().createConsumerTemplate();

        main.getCamelContext().createProducerTemplate().sendBody("direct:esb-device-orders", """
                {"request_id":"main-1","actions":[{"kind":"credentials","device":"door-9","payload":{"credentials":[{"id":"ab12",\
                "holder":"Ada","schedule_ids":[]}],"schedules":[]}}]}""");

        List<String> states = new ArrayList<>();
        String type = null;
        while (!"REQUEST_SUMMARY".equals(type)) {
            Exchange event = consumer.receive("seda:esb-status", 30_000);
            assertThat(event).as("an event within 30 s").isNotNull();
            type = event.getIn().getHeader("BridgeEventType", String.class);
            JsonNode data = JSON.readTree(event.getIn().getBody(String.class)).path("data");
            if ("COMMAND_STATUS_UPDATED".equals(type)) {
                states.add(data.path("state").asText());
            } else {
                assertThat(data.path("request_id").asText()).isEqualTo("main-1");
                assertThat(data.path("succeeded").asInt()).isEqualTo(1);
            }
        }
        assertThat(states).startsWith("Command Queued").endsWith("Command Success");
        assertThat(main.getCamelContext().getRoute("esb-device-orders")).isNotNull();
        assertThat(main.getCamelContext().getRoute("access-dispatch")).isNotNull();

        // a stream body (as an ftp: consumer with streamDownload hands it over), named by its header: JSON Lines
        byte[] lines = """
                {"kind":"credentials","device":"door-10","payload":{"credentials":[{"id":"ab12","holder":"Ada"}],"schedules":[]}}
                {"kind":"credentials","device":"door-11","payload":{"credentials":[{"id":"NOT-HEX","holder":"Bob"}],"schedules":[]}}
                """.getBytes(StandardCharsets.UTF_8);
        main.getCamelContext().createProducerTemplate().sendBodyAndHeader("direct:esb-device-orders",
                new ByteArrayInputStream(lines), Exchange.FILE_NAME, "inbound/orders.jsonl");

        Exchange summary = null;
        while (summary == null) {
            Exchange event = consumer.receive("seda:esb-status", 30_000);
            assertThat(event).as("an event within 30 s").isNotNull();
            if ("REQUEST_SUMMARY".equals(event.getIn().getHeader("BridgeEventType", String.class))) {
                summary = event;
            }
        }
        JsonNode data = JSON.readTree(summary.getIn().getBody(String.class)).path("data");
        assertThat(data.path("request_id").asText()).startsWith("esb:orders.jsonl:");
        assertThat(data.path("succeeded").asInt()).isEqualTo(1);
        assertThat(data.path("invalid").asInt()).isEqualTo(1);
    }
}
