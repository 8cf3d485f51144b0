package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A CSV batch dropped in the inbox runs bulk and capability actions like any other batch. */
class CsvBatchFlowTest extends AllCloudsTestSupport {

    @Test
    void runsBulkAndCapabilityRowsOfACsvBatchAndReportsTheBadRow() throws Exception {
        TestBridge bridge = startBridge();
        bridge.drop("weekly.csv", """
                kind,id,device,type,ids,macs,params,capability,instance,value
                bulk,ex-1,,exempt,HW-1;HW-2,,exempt_time=24,,,
                bulk,mac-1,,renew_ip,,AA-BB-CC-DD-EE-01,,,,
                capability,lamp-on,lamp-1,,,,,devices.capabilities.on_off,on,true
                bulk,bad,,exempt,HW-3,,exempt_time=70000,,,
                """);

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(bridge.outbox().resolve("weekly.summary.json")));
        String requestId = TestBridge.json(Files.readString(bridge.outbox().resolve("weekly.summary.json"))).path("request_id").asText();
        List<CommandRecord> commands = bridge.commands(requestId);
        assertThat(commands).filteredOn(c -> !c.invalid()).extracting(CommandRecord::device)
                .containsExactly("HW-1", "HW-2", "aa:bb:cc:dd:ee:01", "lamp-1");
        assertThat(commands).filteredOn(c -> !c.invalid()).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        assertThat(bridge.jsonLines(bridge.outbox().resolve("weekly.errors.jsonl")))
                .singleElement().satisfies(e -> {
                    assertThat(e.path("record").asText()).isEqualTo("line 5");
                    assertThat(e.path("reason").asText()).contains("params.exempt_time");
                });
    }
}
