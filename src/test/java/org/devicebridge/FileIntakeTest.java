package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.RequestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.devicebridge.ledger.CommandState.FAILURE;
import static org.devicebridge.ledger.CommandState.SUCCESS;

/**
 * The file-drop intake end to end (docs/batch-format.md): what the bridge takes in from the inbox,
 * what it refuses and reports, what it never takes twice, and where the originals go. The tests
 * share one bridge, with file names, request ids and devices of their own, and each starts once
 * the earlier ones are done, so that it may count the cloud's calls; the one that breaks its
 * bridge's ledger and the one that holds its dispatcher have bridges of their own.
 */
class FileIntakeTest extends AccessFlowTestSupport {

    private static final String BAD_JSON_LINE = "{\"kind\":\"credentials\",\"device\":\"door-3\",\"payload\":";
    private static final String UNKNOWN_KIND = "{\"kind\":\"teleport\",\"id\":\"t1\",\"device\":\"door-5\"}";

    @BeforeEach
    void earlierTestsDone() {
        awaitEarlierTestsDone();
    }

    @Test
    void reportsEachBadRecordOfAJsonLinesBatchWithItsLineAndRunsTheGoodOnes() throws IOException {
        sharedBridge();
        bridge.drop("mixed.jsonl", Batches.jsonLines(List.of(
                Batches.credentials("a1", "door-1"),
                Batches.credentials("a2", "door-2"),
                BAD_JSON_LINE,
                Batches.credentials("a4", "door-4", "12zz"),
                UNKNOWN_KIND,
                Batches.credentials("a6", "door-6"))));

        JsonNode summary = awaitSummary("mixed");
        String requestId = summary.path("request_id").asText();

        assertThat(bridge.commands(requestId)).filteredOn(c -> !c.invalid())
                .extracting(CommandRecord::device, CommandRecord::state)
                .containsExactly(tuple("door-1", SUCCESS),
                        tuple("door-2", SUCCESS),
                        tuple("door-6", SUCCESS));

        List<JsonNode> errors = bridge.jsonLines(bridge.outbox().resolve("mixed.errors.jsonl"));
        assertThat(errors).extracting(e -> e.path("record").asText()).containsExactly("line 3", "line 4", "line 5");
        assertThat(errors.get(0).path("reason").asText()).containsIgnoringCase("malformed JSON");
        assertThat(errors.get(1).path("reason").asText()).contains("line 4").contains("payload.credentials[0].id");
        assertThat(errors.get(2).path("reason").asText()).contains("teleport");

        assertThat(summary.path("total").asInt()).isEqualTo(6);
        assertThat(summary.path("succeeded").asInt()).isEqualTo(3);
        assertThat(summary.path("invalid").asInt()).isEqualTo(3);

        Path deadLetter = bridge.deadletter().resolve("mixed.jsonl.rejected.jsonl");
        assertThat(deadLetter).exists();
        List<JsonNode> rejected = bridge.jsonLines(deadLetter);
        assertThat(rejected).extracting(r -> r.path("record").asText()).containsExactly("line 3", "line 4", "line 5");
        assertThat(rejected.get(1).path("reason").asText()).contains("payload.credentials[0].id");
        assertThat(rejected.get(0).path("raw").asText()).isEqualTo(BAD_JSON_LINE);
    }

    @Test
    void neverSendsAnInvalidActionToTheCloudAndEndsItCommandFailure() {
        sharedBridge();
        bridge.drop("one-bad.json", Batches.document("one-bad-1",
                Batches.credentials("bad", "door-bad", "not-hex!"), Batches.credentials("good", "door-good")));

        List<CommandRecord> done = awaitFinal("one-bad-1", 2);

        CommandRecord bad = done.get(0);
        assertThat(bad.device()).isEqualTo("door-bad");
        assertThat(bad.state()).isEqualTo(FAILURE);
        assertThat(bad.reason()).contains("payload.credentials[0].id");
        assertThat(cloud.createCount("door-bad")).isZero();
        assertThat(cloud.actionsFor("door-bad")).isEmpty();
        assertThat(done.get(1).state()).isEqualTo(SUCCESS);
    }

    @Test
    void sameFileDroppedTwiceCreatesNoSecondSetOfCommands() throws IOException {
        sharedBridge();
        String batch = Batches.jsonLines(List.of(Batches.credentials("a1", "twice-door-1"), Batches.credentials("a2", "twice-door-2")));
        bridge.drop("twice.jsonl", batch);
        awaitArchivedCopies("done", "twice.jsonl", 1);

        bridge.drop("twice.jsonl", batch);

        awaitArchivedCopies("done", "twice.jsonl", 2);
        assertThat(bridge.inbox().resolve("twice.jsonl")).doesNotExist();
        String requestId = awaitSummary("twice").path("request_id").asText();
        assertThat(bridge.commands(requestId)).hasSize(2);
        assertThat(cloud.createCount("twice-door-1")).isEqualTo(1);
        assertThat(cloud.createCount("twice-door-2")).isEqualTo(1);
    }

    @Test
    void twoFilesWithTheSameRequestIdCreateTheActionsOnce() {
        sharedBridge();
        bridge.drop("export-a.json", Batches.document("shared-1", Batches.credentials("a1", "shared-door-1")));
        bridge.drop("export-b.json", Batches.document("shared-1", Batches.credentials("a1", "shared-door-1")));

        awaitArchivedCopies("done", "export-a.json", 1);
        awaitArchivedCopies("done", "export-b.json", 1);
        awaitFinal("shared-1", 1);

        assertThat(bridge.commands("shared-1")).hasSize(1);
        assertThat(cloud.createCount("shared-door-1")).isEqualTo(1);
    }

    @Test
    void reportsANonObjectInTheActionsArrayByItsIndexAndRunsTheRest() throws IOException {
        sharedBridge();
        bridge.drop("odd.json", Batches.document("odd-1", Batches.credentials("good", "door-1"), "\"not an action\""));

        JsonNode summary = awaitSummary("odd");

        assertThat(bridge.commands("odd-1")).singleElement().satisfies(c -> {
            assertThat(c.device()).isEqualTo("door-1");
            assertThat(c.state()).isEqualTo(SUCCESS);
        });
        List<JsonNode> errors = bridge.jsonLines(bridge.outbox().resolve("odd.errors.jsonl"));
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.path("record").asText()).contains("actions[1]");
            assertThat(e.path("reason").asText()).contains("not a JSON object");
        });
        assertThat(summary.path("total").asInt()).isEqualTo(2);
        assertThat(summary.path("succeeded").asInt()).isEqualTo(1);
        assertThat(summary.path("invalid").asInt()).isEqualTo(1);
    }

    @Test
    void reportsACompletelyMalformedDocumentSendsNothingAndKeepsTheOriginal() throws IOException {
        sharedBridge();
        long callsBefore = cloud.totalCalls();
        String garbage = "this is { not JSON at all\n";
        bridge.drop("garbage.json", garbage);

        JsonNode summary = awaitSummary("garbage");

        List<JsonNode> errors = bridge.jsonLines(bridge.outbox().resolve("garbage.errors.jsonl"));
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.path("record").asText()).isEqualTo("line 1");
            assertThat(e.path("reason").asText()).contains("malformed JSON document");
        });
        assertThat(summary.path("total").asInt()).isEqualTo(1);
        assertThat(summary.path("invalid").asInt()).isEqualTo(1);
        assertThat(summary.path("succeeded").asInt()).isZero();
        assertThat(cloud.totalCalls()).isEqualTo(callsBefore);
        // the file was read (its one record reported), so it is archived as done, unchanged
        Path archived = awaitArchivedCopies("done", "garbage.json", 1).get(0);
        assertThat(Files.readString(archived)).isEqualTo(garbage);
        assertThat(bridge.inbox().resolve("garbage.json")).doesNotExist();
    }

    @Test
    void archivesFilesThatCannotBeReadToDoneWithEveryRecordRejectedReportedAndDeadLettered() throws IOException {
        sharedBridge();
        long callsBefore = cloud.totalCalls();
        long logBefore = Files.size(TEST_LOG);
        // bytes that are no UTF-8 text (0xFF never is; 0xC3 0x28 is a broken pair), with line breaks in between
        byte[] garbage = {(byte) 0xFF, (byte) 0xFE, 0x01, (byte) 0xC3, 0x28, '\n', (byte) 0x80, (byte) 0x81, 0x00, '\r', '\n',
                (byte) 0xFF, '{', '\n', 0x00, 0x00, (byte) 0xFA};
        Map<String, byte[]> files = Map.of(
                "binary.json", garbage,
                "noise.jsonl", garbage,
                "junk.csv", garbage,
                "colour.csv", "kind,device,colour\nbulk,HW-1,red\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        files.forEach((name, bytes) -> dropBytes(name, bytes));

        for (var f : files.entrySet()) {
            String base = f.getKey().substring(0, f.getKey().lastIndexOf('.'));
            JsonNode summary = awaitSummary(base);
            List<JsonNode> errors = bridge.jsonLines(bridge.outbox().resolve(base + ".errors.jsonl"));
            List<JsonNode> deadLetters = bridge.jsonLines(bridge.deadletter().resolve(f.getKey() + ".rejected.jsonl"));

            assertThat(errors).as(f.getKey()).isNotEmpty().allSatisfy(e -> assertThat(e.path("reason").asText()).isNotBlank());
            assertThat(deadLetters).as(f.getKey()).extracting(d -> d.path("record").asText())
                    .containsExactlyElementsOf(errors.stream().map(e -> e.path("record").asText()).toList());
            assertThat(summary.path("invalid").asInt()).as(f.getKey()).isEqualTo(errors.size());
            assertThat(summary.path("total").asInt()).as(f.getKey()).isEqualTo(errors.size());
            assertThat(Files.readAllBytes(awaitArchivedCopies("done", f.getKey(), 1).get(0))).as(f.getKey()).isEqualTo(f.getValue());
        }
        assertThat(bridge.jsonLines(bridge.outbox().resolve("binary.errors.jsonl"))).singleElement()
                .satisfies(e -> assertThat(e.path("reason").asText()).startsWith("malformed JSON document"));
        assertThat(bridge.jsonLines(bridge.deadletter().resolve("noise.jsonl.rejected.jsonl"))).extracting(e -> e.path("record").asText())
                .containsExactly("line 1", "line 2", "line 3", "line 4");
        assertThat(bridge.jsonLines(bridge.deadletter().resolve("junk.csv.rejected.jsonl"))).singleElement()
                .satisfies(e -> assertThat(e.path("reason").asText()).startsWith("header: not text"));
        assertThat(bridge.jsonLines(bridge.deadletter().resolve("colour.csv.rejected.jsonl"))).singleElement()
                .satisfies(e -> assertThat(e.path("reason").asText()).contains("unknown column 'colour'"));
        assertThat(filesUnder(bridge.archive().resolve("failed"))).isEmpty();
        assertThat(new String(Files.readAllBytes(TEST_LOG), java.nio.charset.StandardCharsets.ISO_8859_1).substring((int) logBefore))
                .doesNotContain(" ERROR ").doesNotContain("Exception");
        assertThat(cloud.totalCalls()).isEqualTo(callsBefore);
    }

    @Test
    void rejectsALineThatIsNotTextAndTakesTheRestOfTheJsonLinesBatch() throws IOException {
        sharedBridge();
        byte[] good1 = Batches.credentials("a1", "door-1").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] good3 = Batches.credentials("a3", "door-3").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.write(good1);
        file.write('\n');
        file.write(new byte[] {'{', '"', (byte) 0xFF, '"', '}', '\n'});
        file.write(good3);
        dropBytes("one-binary-line.jsonl", file.toByteArray());

        JsonNode summary = awaitSummary("one-binary-line");

        assertThat(summary.path("succeeded").asInt()).isEqualTo(2);
        assertThat(summary.path("invalid").asInt()).isEqualTo(1);
        assertThat(bridge.jsonLines(bridge.outbox().resolve("one-binary-line.errors.jsonl"))).singleElement().satisfies(e -> {
            assertThat(e.path("record").asText()).isEqualTo("line 2");
            assertThat(e.path("reason").asText()).startsWith("not text");
        });
    }

    @Test
    void keepsAFileInTheInboxUnchangedWhileTheLedgerCannotBeReached() throws IOException {
        startBridge();
        long logBefore = Files.size(TEST_LOG);
        bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", com.zaxxer.hikari.HikariDataSource.class).close();
        String batch = Batches.document("no-ledger-1", Batches.credentials("a1", "door-1"));

        bridge.drop("no-ledger.json", batch);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> newLog(logBefore)
                .contains("no-ledger.json: its intake stopped"));
        assertThat(newLog(logBefore)).contains("the file stays in the inbox and is taken up again");
        assertThat(bridge.inbox().resolve("no-ledger.json")).hasContent(batch);
        assertThat(filesUnder(bridge.archive())).isEmpty();
        assertThat(cloud.totalCalls()).isZero();
    }

    @Test
    void takesInALargeJsonLinesBatchCompletely() {
        int n = 2_000;
        // intake alone: the dispatcher waits, so the 2,000 actions do not compete with their own reading for the database
        startBridge(s -> s.processingDelay(Duration.ZERO).webhook(null, null), Map.of("bridge.access.tick", "600000"));
        bridge.drop("big.jsonl", Batches.jsonLines(IntStream.rangeClosed(1, n)
                .mapToObj(i -> Batches.credentials("a" + i, "door-" + i)).toList()));

        String requestId = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> requestFrom("big.jsonl"), Optional::isPresent).orElseThrow().id();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> bridge.commandStore().request(requestId).orElseThrow().intakeComplete());

        List<CommandRecord> commands = bridge.commands(requestId);
        assertThat(commands).hasSize(n);
        assertThat(commands).noneMatch(CommandRecord::invalid);
        assertThat(commands).extracting(CommandRecord::device).doesNotHaveDuplicates()
                .contains("door-1", "door-" + n);
    }

    @Test
    void dispatchesTheFirstRecordsOfABigFileWhileTheRestIsRead() {
        int n = 1_000;
        int heldAt = 600;
        startBridge(s -> s.processingDelay(Duration.ZERO).webhook(null, null), Map.of());
        // the file is still being read, for as long as this test needs: the ledger holds the write of record 600
        // (the records before it are written and committed, bridge.intake.batch-size at a time or each flush-interval)
        try (IntakeHold hold = IntakeHold.on(bridge, heldAt)) {
            bridge.drop("early.jsonl", Batches.jsonLines(IntStream.rangeClosed(1, n)
                    .mapToObj(i -> Batches.credentials("a" + i, "door-" + i)).toList()));

            String requestId = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> requestFrom("early.jsonl"), Optional::isPresent).orElseThrow().id();
            // the first doors are created in the cloud while the request is still being read
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> cloud.createCount("door-1") > 0);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(hold::reached);
            assertThat(bridge.commandStore().request(requestId).orElseThrow().intakeComplete()).as("still reading the batch").isFalse();
            assertThat(bridge.reads().counts(requestId).total()).as("records written so far").isLessThanOrEqualTo(heldAt);

            hold.close();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> bridge.commandStore().request(requestId).orElseThrow().intakeComplete());
            assertThat(bridge.reads().counts(requestId).total()).isEqualTo(n);
        }
    }

    @Test
    void refusesAFileReusingARequestIdWithAnotherDocumentSayingSoInItsErrorsFileAndSummary() throws IOException {
        startBridge();
        bridge.drop("first.json", Batches.document("reused-by-file", Batches.credentials("a1", "door-1")));
        awaitFinal("reused-by-file", 1);

        bridge.drop("second.json", Batches.document("reused-by-file", Batches.credentials("a1", "door-7")));

        JsonNode summary = awaitSummary("second");
        String reason = "request_id 'reused-by-file': taken in before from a different document; a new document needs a new request_id";
        assertThat(summary.path("refused").asText()).isEqualTo(reason);
        assertThat(summary.path("request_id").asText()).startsWith("file:second.json:");
        assertThat(bridge.jsonLines(bridge.outbox().resolve("second.errors.jsonl"))).singleElement()
                .satisfies(e -> assertThat(e.path("reason").asText()).isEqualTo(reason));
        assertThat(awaitArchivedCopies("done", "second.json", 1)).hasSize(1);
        assertThat(bridge.commands("reused-by-file")).extracting(CommandRecord::device).containsExactly("door-1");
        assertThat(cloud.createCount("door-7")).isZero();
    }

    @Test
    void leavesAFileThatIsNotABatchInTheInbox() throws IOException {
        sharedBridge();
        bridge.drop("notes.txt", "remember to rotate the badges\n");
        bridge.drop("real.json", Batches.document("real-1", Batches.credentials("a1", "door-1")));

        awaitArchivedCopies("done", "real.json", 1);

        assertThat(bridge.inbox().resolve("notes.txt")).hasContent("remember to rotate the badges");
        assertThat(filesUnder(bridge.archive())).noneMatch(p -> p.getFileName().toString().contains("notes"));
        assertThat(bridge.commandStore().openRequests()).noneMatch(r -> "notes.txt".equals(r.sourceName()));
        assertThat(bridge.commandStore().request("real-1")).isPresent();
    }

    // ------------------------------------------------------------------ helpers

    private static final Path TEST_LOG = LeakSearch.TEST_LOG;

    private static String newLog(long from) throws IOException {
        return new String(Files.readAllBytes(TEST_LOG), java.nio.charset.StandardCharsets.ISO_8859_1).substring((int) from);
    }

    /** Drops a file of exactly these bytes, written elsewhere and moved in. */
    private void dropBytes(String name, byte[] bytes) {
        try {
            Files.createDirectories(bridge.inbox());
            Path tmp = Files.createTempFile(dir, "drop", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, bridge.inbox().resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for {@code <base>.summary.json} in the outbox (written when every action is final) and reads it. */
    private JsonNode awaitSummary(String base) throws IOException {
        Path summary = bridge.outbox().resolve(base + ".summary.json");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(summary));
        return TestBridge.json(Files.readString(summary));
    }

    /** Waits until {@code archive/<folder>} holds {@code copies} archived copies of the named file. */
    private List<Path> awaitArchivedCopies(String folder, String name, int copies) {
        Path dir = bridge.archive().resolve(folder);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> archivedCopies(dir, name).size() == copies);
        return archivedCopies(dir, name);
    }

    private static List<Path> archivedCopies(Path dir, String name) {
        return filesUnder(dir).stream().filter(p -> p.getFileName().toString().endsWith("-" + name)).toList();
    }

    private static List<Path> filesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Optional<RequestRecord> requestFrom(String sourceName) {
        return bridge.commandStore().openRequests().stream().filter(r -> sourceName.equals(r.sourceName())).findFirst();
    }
}
