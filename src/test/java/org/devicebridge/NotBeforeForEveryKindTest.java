package org.devicebridge;

import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.RequestRecord;
import org.devicebridge.ledger.Transition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code not_before} (and {@code deadline}) apply to every kind of action: a credentials, bulk or
 * capability action waits as {@code Command Scheduled} until its time, then runs; a duration
 * deadline counts from it. Dropped files on the real bridge over the three simulated clouds.
 */
class NotBeforeForEveryKindTest extends AllCloudsTestSupport {

    @Test
    void holdsBackActionsOfEveryKindUntilTheirNotBeforeAndSendsNothingMeanwhile() {
        TestBridge bridge = startBridge();
        String tomorrow = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();

        bridge.drop("tomorrow.json", Batches.document("tomorrow-1",
                "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":[\"HW-1\",\"HW-2\"],\"params\":{\"exempt_time\":24},\"not_before\":\"" + tomorrow + "\"}",
                with(Batches.credentials("c1", "door-1"), "\"not_before\":\"" + tomorrow + "\",\"deadline\":\"PT10M\""),
                "{\"kind\":\"capability\",\"device\":\"lamp-1\",\"not_before\":\"" + tomorrow + "\",\"actions\":[{\"type\":"
                        + "\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}"));

        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.commandStore().request("tomorrow-1").map(RequestRecord::intakeComplete)
                .orElse(false));
        List<CommandRecord> commands = bridge.commands("tomorrow-1");
        assertThat(commands).extracting(CommandRecord::device).containsExactly("HW-1", "HW-2", "door-1", "lamp-1");
        assertThat(commands).extracting(CommandRecord::state).containsOnly(CommandState.SCHEDULED);
        assertThat(commands).extracting(CommandRecord::nextAttemptAt).containsOnly(Instant.parse(tomorrow));
        // a duration deadline counts from not_before; the default one too
        assertThat(commands.get(2).deadlineAt()).isEqualTo(Instant.parse(tomorrow).plus(Duration.ofMinutes(10)));
        assertThat(commands.get(0).deadlineAt()).isEqualTo(Instant.parse(tomorrow).plus(Duration.ofMinutes(15)));
        // nothing goes to any cloud meanwhile
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> network.requestCount() == 0 && home.requestCount() == 0 && access.createCount("door-1") == 0);
        assertThat(bridge.commands("tomorrow-1")).extracting(CommandRecord::state).containsOnly(CommandState.SCHEDULED);
    }

    @Test
    void sendsEachKindOnceItsNotBeforeHasCome() {
        TestBridge bridge = startBridge();
        Instant soon = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);

        bridge.drop("soon.json", Batches.document("soon-1",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HW-7\"],\"not_before\":\"" + soon + "\"}",
                with(Batches.credentials("c1", "door-7"), "\"not_before\":\"" + soon + "\""),
                "{\"kind\":\"capability\",\"device\":\"lamp-7\",\"not_before\":\"" + soon + "\",\"actions\":[{\"type\":"
                        + "\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}"));

        List<CommandRecord> done = awaitFinal(bridge, "soon-1", 3, Duration.ofSeconds(40));
        assertThat(done).extracting(CommandRecord::state).containsOnly(CommandState.SUCCESS);
        for (CommandRecord c : done) {
            List<Transition> path = bridge.reads().transitions(c.id());
            assertThat(path.get(0).to()).isEqualTo(CommandState.SCHEDULED);
            assertThat(path).filteredOn(t -> t.to() != CommandState.SCHEDULED && t.to() != CommandState.QUEUED)
                    .allSatisfy(t -> assertThat(t.at()).as(c.kind() + " sent at its time").isAfterOrEqualTo(soon));
        }
        assertThat(network.requestCount()).isEqualTo(1);
        assertThat(home.requestCount()).isEqualTo(1);
        assertThat(access.createCount("door-7")).isEqualTo(1);
    }

    /** The action with more fields at its end. */
    private static String with(String action, String fields) {
        return action.substring(0, action.lastIndexOf('}')) + "," + fields + "}";
    }

    @Test
    void rejectsADeadlineThatComesBeforeNotBeforeAndAnUnknownFieldNamingThem() throws Exception {
        TestBridge bridge = startBridge();

        bridge.drop("wrong.jsonl", Batches.jsonLines(List.of(
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HW-1\"],\"not_before\":\"2099-01-02T00:00:00Z\",\"deadline\":\"2099-01-01T00:00:00Z\"}",
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HW-1\"],\"device\":\"HW-1\"}",
                "{\"kind\":\"capability\",\"device\":\"lamp-1\",\"when\":\"now\",\"actions\":[{\"type\":\"devices.capabilities.on_off\","
                        + "\"state\":{\"instance\":\"on\",\"value\":true}}]}")));

        await().atMost(Duration.ofSeconds(20)).until(() -> java.nio.file.Files.exists(bridge.outbox().resolve("wrong.summary.json")));
        List<String> reasons = bridge.jsonLines(bridge.outbox().resolve("wrong.errors.jsonl")).stream().map(e -> e.path("reason").asText())
                .toList();
        assertThat(reasons).hasSize(3);
        assertThat(reasons.get(0)).contains("deadline: '2099-01-01T00:00:00Z' is not after not_before");
        assertThat(reasons.get(1)).contains("device: unknown field; a bulk action has kind, id, not_before, deadline, type, ids, macs, params");
        assertThat(reasons.get(2)).contains("when: unknown field; a capability action has kind, id, not_before, deadline, device, actions");
        assertThat(network.requestCount()).isZero();
        assertThat(home.requestCount()).isZero();
    }
}
