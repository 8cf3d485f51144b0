package org.devicebridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --dry-run}: the plan of a batch, every invalid record, and nothing sent or recorded. */
class DryRunTest {

    @TempDir
    Path dir;

    private String runDryRun(int expectedExit, String... files) {
        return runDryRunWith(expectedExit, List.of(), files);
    }

    private String runDryRunWith(int expectedExit, List<String> options, String... files) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            List<String> args = new ArrayList<>(List.of("--dry-run", "-Dbridge.db.url=jdbc:h2:file:" + dir.resolve("ledger"),
                    "-Dbridge.inbox.dir=" + dir.resolve("inbox")));
            args.addAll(options);
            args.addAll(List.of(files));
            assertThat(BridgeMain.run(args.toArray(String[]::new))).isEqualTo(expectedExit);
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private Path batch(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void plansFiveThousandDevicesAsFiftyCallsUnderTheRateLimit() throws Exception {
        Path file = batch("big.json", Batches.document("big", "{\"kind\":\"bulk\",\"type\":\"exempt\",\"ids\":["
                + AllCloudsTestSupport.ids("HW-", 0, 5000) + "],\"params\":{\"exempt_time\":0}}"));

        String plan = runDryRun(0, file.toString());

        // 50 calls at 10 per 61 s (the minute plus the 1 s safety margin): the last goes 4 windows after the first
        assertThat(plan).contains("5000 devices,     50 calls").contains("ETA 4 min 4 s").contains("(1230 devices/min)");
        assertThat(plan).contains("invalid records: 0");
        assertThat(plan).as("4 min fit the default deadline of 15 min").doesNotContain("WARNING");
    }

    @Test
    void warnsWhenABatchsBulkCallsWouldOutlastTheDefaultDeadline() throws Exception {
        Path file = batch("huge.json", Batches.document("huge", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":["
                + AllCloudsTestSupport.ids("HW-", 0, 20_000) + "]}"));

        String plan = runDryRun(0, file.toString());

        // 200 calls at 10 per 61 s: the last goes 19 windows after the first, past bridge.action.deadline (15 min)
        assertThat(plan).contains("WARNING huge.json: its last bulk call would go after 19 min 19 s, past its bulk actions' deadline "
                + "(15 min 0 s, bridge.action.deadline = PT15M)").contains("end Command TimeOut unsent");
    }

    @Test
    void warnsOnlyForTheBatchWhoseOwnDeadlineComesBeforeItsLastBulkCall() throws Exception {
        Path big = batch("big.json", Batches.document("big", "{\"kind\":\"bulk\",\"type\":\"exempt\",\"deadline\":\"PT3M\",\"ids\":["
                + AllCloudsTestSupport.ids("HW-", 0, 5000) + "],\"params\":{\"exempt_time\":0}}"));
        Path small = batch("small.json", Batches.document("small", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":["
                + AllCloudsTestSupport.ids("S-", 0, 100) + "]}"));

        String plan = runDryRun(0, big.toString(), small.toString());

        // big: 50 calls, taking turns with small's one: the last of 51 calls goes 5 windows (5 min 5 s) after the first
        assertThat(plan).contains("WARNING big.json: its last bulk call would go after 5 min 5 s (taking turns with the other batches), "
                + "past its bulk actions' deadline (3 min 0 s, their own \"deadline\")");
        assertThat(plan).doesNotContain("WARNING small.json");
    }

    @Test
    void rejectsADeadlineThatIntakeWouldReject() throws Exception {
        Path file = batch("late.json", Batches.document("late", "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"deadline\":\"soon\",\"ids\":[\"HW-1\"]}"));

        String plan = runDryRun(1, file.toString());

        assertThat(plan).contains("invalid records: 1").contains("late.json").contains("deadline: 'soon' is neither RFC3339 nor an ISO-8601 duration");
    }

    @Test
    void listsEveryInvalidRecordWithItsReason() throws Exception {
        Path file = batch("mixed.jsonl", Batches.jsonLines(List.of(
                Batches.credentials("ok", "door-1"),
                Batches.credentials("bad", "door-2", "xyz"),
                "{\"kind\":\"capability\",\"device\":\"lamp\",\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":1}}]}",
                "{oops")));

        String plan = runDryRun(1, file.toString());

        assertThat(plan).contains("invalid records: 3")
                .contains("mixed.jsonl line 2: payload.credentials[0].id")
                .contains("mixed.jsonl line 3: actions[0].state.value")
                .contains("mixed.jsonl line 4: malformed JSON");
        assertThat(plan).contains("1 devices,      2 calls");
    }

    @Test
    void takesInWhatTheRunningBridgeTakesInCommandActionsIncluded() throws Exception {
        Path file = batch("pull.jsonl", Batches.jsonLines(List.of(
                "{\"kind\":\"command\",\"device\":\"gw-1\",\"command\":\"reboot\",\"params\":{\"delay\":5}}",
                "{\"kind\":\"command\",\"device\":\"gw-2\",\"command\":\"reboot\",\"colour\":\"red\"}")));

        String plan = runDryRun(1, file.toString());

        assertThat(plan).contains("command inbox (command):          1 devices");
        assertThat(plan).contains("invalid records: 1")
                .contains("pull.jsonl line 2: colour: unknown field; a command action has kind, id, not_before, deadline, device, command, params");
    }

    @Test
    void refusesTheKindsOfCloudsThatAreNotConfiguredAsTheRunningBridgeDoesNamingTheMissingSetting() throws Exception {
        Path file = batch("mixed.jsonl", Batches.jsonLines(List.of(
                Batches.credentials("ok", "door-1"),
                "{\"kind\":\"bulk\",\"type\":\"renew_ip\",\"ids\":[\"HW-1\"]}",
                "{\"kind\":\"capability\",\"device\":\"lamp\",\"actions\":[{\"type\":\"devices.capabilities.on_off\",\"state\":{\"instance\":\"on\",\"value\":true}}]}")));

        // the default bridge.simulator.enabled=auto: one cloud configured for real, nothing simulated
        String plan = runDryRunWith(1, List.of("-Dbridge.simulator.enabled=auto", "-Dbridge.access.base-url=https://access.example.com"),
                file.toString());

        assertThat(plan).contains("invalid records: 2")
                .contains("mixed.jsonl line 2: kind: the network cloud is not configured: set bridge.network.base-url")
                .contains("mixed.jsonl line 3: kind: the home cloud is not configured: set bridge.home.base-url");
        assertThat(plan).contains("1 devices,      2 calls");
    }

    @Test
    void showsWhenTheActionsHeldBackByNotBeforeStart() throws Exception {
        Path file = batch("later.json", Batches.document("later",
                "{\"kind\":\"bulk\",\"type\":\"exempt\",\"not_before\":\"2099-12-01T02:00:00Z\",\"ids\":[" + AllCloudsTestSupport.ids("HW-", 0, 5)
                        + "],\"params\":{\"exempt_time\":0}}",
                "{\"kind\":\"command\",\"device\":\"gw-1\",\"command\":\"reboot\",\"not_before\":\"2099-12-01T02:00:00Z\"}"));

        String plan = runDryRun(0, file.toString());

        assertThat(plan).contains("held back by not_before (Command Scheduled until then):")
                .containsPattern("2099-12-01T02:00:00Z \\(in \\d+ d \\d+ h \\d+ min\\): 5 bulk, 1 command devices start");
    }

    @Test
    void refusesATruncatedDocumentWholeAsTheRunningBridgeDoes() throws Exception {
        String whole = Batches.document("cut", Batches.credentials("a", "door-1"), Batches.credentials("b", "door-2"));
        Path file = batch("cut.json", whole.substring(0, whole.length() - 30));

        String plan = runDryRun(1, file.toString());

        assertThat(plan).contains("invalid records: 1").contains("cut.json line 1: malformed JSON document: Unexpected end-of-input");
        assertThat(plan).contains("0 devices,      0 calls (create + upload)");
    }

    @Test
    void touchesNoLedgerAndNoInbox() throws Exception {
        Path file = batch("one.json", Batches.document("one", Batches.credentials("a", "door-1")));

        runDryRun(0, file.toString());

        assertThat(dir.resolve("ledger.mv.db")).doesNotExist();
        assertThat(file).exists();
    }
}
