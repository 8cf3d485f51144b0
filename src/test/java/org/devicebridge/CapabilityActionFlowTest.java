package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Capability actions on the home cloud: per capability outcomes, combined calls, 404, pre-flight,
 * retries. The tests share one bridge, with request ids and file names of their own, and each
 * starts once the earlier ones are done, so that it may count the home cloud's calls or make it fail
 * its next ones.
 */
class CapabilityActionFlowTest extends AllCloudsTestSupport {

    private static final String ON = "{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}";
    private static final String DIM = "{\"type\":\"devices.capabilities.range\",\"state\":{\"instance\":\"brightness\",\"value\":40}}";

    private static String capability(String device, String... actions) {
        return "{\"kind\":\"capability\",\"id\":\"" + device + "\",\"device\":\"" + device + "\",\"actions\":[" + String.join(",", actions) + "]}";
    }

    @BeforeEach
    void earlierTestsDone() {
        awaitEarlierTestsDone();
    }

    @Test
    void succeedsWhenEveryCapabilityIsDoneAndListsEachInTheResult() throws Exception {
        TestBridge bridge = sharedBridge();
        bridge.drop("lamps.json", Batches.document("lamps-1", capability("lamp-1", ON, DIM)));

        CommandRecord c = awaitFinal(bridge, "lamps-1", 1, Duration.ofSeconds(15)).get(0);

        assertThat(c.state()).isEqualTo(CommandState.SUCCESS);
        assertThat(c.vendorStatus()).isEqualTo("DONE");
        await().until(() -> Files.exists(bridge.outbox().resolve("lamps.summary.json")));
        JsonNode line = bridge.jsonLines(bridge.outbox().resolve("lamps.results.jsonl")).get(0);
        assertThat(line.path("capabilities")).hasSize(2);
        assertThat(line.path("capabilities").findValuesAsText("status")).containsOnly("DONE");
        assertThat(line.path("vendor_request_ids")).isNotEmpty();
    }

    @Test
    void aDeviceWhoseCallIsInFlightAtItsDeadlineEndsWithTheCloudsAnswer() {
        TestBridge bridge = sharedBridge(n -> n, h -> h.latency(Duration.ofSeconds(5)));
        bridge.drop("slow.json", Batches.document("slow-1", "{\"kind\":\"capability\",\"device\":\"lamp-9\",\"deadline\":\"PT2S\","
                + "\"actions\":[" + ON + "]}"));

        CommandRecord c = awaitFinal(bridge, "slow-1", 1, Duration.ofSeconds(20)).get(0);

        assertThat(c.state()).isEqualTo(CommandState.SUCCESS);
        assertThat(c.vendorStatus()).isEqualTo("DONE");
        assertThat(c.finishedAt()).as("answered after the deadline").isAfter(c.deadlineAt());
    }

    @Test
    void failsADeviceWhoseCapabilityFailedWithTheCloudsCodeAndMessage() {
        TestBridge bridge = sharedBridge();
        bridge.drop("mixed.json", Batches.document("mixed-1", capability("lamp-2", ON), capability("offline-lamp", ON, DIM)));

        Map<String, CommandRecord> byDevice = awaitFinal(bridge, "mixed-1", 2, Duration.ofSeconds(15)).stream()
                .collect(Collectors.toMap(CommandRecord::device, c -> c));

        assertThat(byDevice.get("lamp-2").state()).isEqualTo(CommandState.SUCCESS);
        assertThat(byDevice.get("offline-lamp").state()).isEqualTo(CommandState.FAILURE);
        assertThat(byDevice.get("offline-lamp").reason()).contains("DEVICE_UNREACHABLE");
    }

    @Test
    void combinesSeveralDevicesIntoOneCall() {
        TestBridge bridge = sharedBridge();
        long callsBefore = home.requestCount();
        bridge.drop("five.json", Batches.document("five-1", capability("lamp-1", ON), capability("lamp-2", ON),
                capability("lamp-3", ON), capability("lamp-4", ON), capability("lamp-5", ON)));

        List<CommandRecord> done = awaitFinal(bridge, "five-1", 5, Duration.ofSeconds(15));

        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(home.requestCount() - callsBefore).isEqualTo(1);
    }

    @Test
    void failsDevicesTheCloudDoesNotKnow() {
        TestBridge bridge = sharedBridge();
        bridge.drop("ghost.json", Batches.document("ghost-1", capability("unknown-lamp", ON)));

        CommandRecord c = awaitFinal(bridge, "ghost-1", 1, Duration.ofSeconds(15)).get(0);

        assertThat(c.state()).isEqualTo(CommandState.FAILURE);
        assertThat(c.reason()).contains("devices not found").contains("404");
    }

    @Test
    void neverSendsAnInvalidCapabilityValue() {
        TestBridge bridge = sharedBridge();
        long callsBefore = home.requestCount();
        bridge.drop("bright.json", Batches.document("bright-1",
                capability("lamp-1", "{\"type\":\"devices.capabilities.range\",\"state\":{\"instance\":\"brightness\",\"value\":150}}")));

        CommandRecord c = awaitFinal(bridge, "bright-1", 1, Duration.ofSeconds(15)).get(0);

        assertThat(c.invalid()).isTrue();
        assertThat(c.reason()).contains("actions[0].state.value");
        assertThat(home.requestCount()).isEqualTo(callsBefore);
    }

    @Test
    void retriesATransientFailure() {
        TestBridge bridge = sharedBridge();
        home.failNextCalls(1, 503);
        bridge.drop("retry.json", Batches.document("retry-1", capability("lamp-1", ON)));

        CommandRecord c = awaitFinal(bridge, "retry-1", 1, Duration.ofSeconds(15)).get(0);

        assertThat(c.state()).isEqualTo(CommandState.SUCCESS);
        assertThat(bridge.callLog().calls(c.id())).extracting(call -> call.httpStatus()).containsExactly(503, 200);
    }

    @Test
    void sendsDevicesWhoseAnswerCameGarbledAgainButNotARelativeChange() {
        startClouds(n -> n, h -> h);
        // the three records are written in one transaction (no timed flush while the file is read), so one call carries them all
        TestBridge bridge = startBridge("bridge", Map.of("bridge.intake.flush-interval", "1m"));
        home.garbleNextAnswers(1);   // the cloud applies every action; its 200 body is cut short on the way back
        String brighter = "{\"type\":\"devices.capabilities.range\",\"state\":{\"instance\":\"brightness\",\"value\":10,\"relative\":true}}";
        bridge.drop("garbled.json", Batches.document("garbled-1", capability("lamp-1", ON, DIM), capability("lamp-2", ON),
                capability("lamp-3", brighter)));

        Map<String, CommandRecord> byDevice = awaitFinal(bridge, "garbled-1", 3, Duration.ofSeconds(15)).stream()
                .collect(Collectors.toMap(CommandRecord::device, c -> c));

        assertThat(byDevice.get("lamp-1").state()).isEqualTo(CommandState.SUCCESS);
        assertThat(byDevice.get("lamp-2").state()).isEqualTo(CommandState.SUCCESS);
        assertThat(bridge.callLog().calls(byDevice.get("lamp-1").id())).extracting(call -> call.httpStatus()).containsExactly(200, 200);
        assertThat(bridge.callLog().calls(byDevice.get("lamp-1").id()).get(0).error()).contains("answer unreadable");
        // a second "+10" would make it +20: its outcome is unknown, and it says so instead of guessing
        assertThat(byDevice.get("lamp-3").state()).isEqualTo(CommandState.FAILURE);
        assertThat(byDevice.get("lamp-3").reason()).contains("outcome unknown").contains("relative").contains("check the device");
        assertThat(bridge.callLog().calls(byDevice.get("lamp-3").id())).hasSize(1);
        assertThat(home.requestCount()).isEqualTo(2);
    }
}
