package org.devicebridge;

import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerDatabase;
import org.devicebridge.ledger.NewCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --once} as a cron or Kubernetes job runs it: the command line with the built-in simulator,
 * taking what is in the inbox and exiting 0 (all succeeded), 1 (any failed) or 2 (bad configuration).
 */
class OnceModeTest {

    @TempDir
    Path dir;

    private String[] args(String... extra) {
        return TestBridge.onceCommandLine(dir, extra);
    }

    private void drop(String name, String content) throws Exception {
        Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(dir.resolve("inbox").resolve(name), content);
    }

    @Test
    void exitsZeroWhenEveryActionSucceeded() throws Exception {
        drop("good.json", Batches.document("once-good", Batches.credentials("a", "door-1"), Batches.credentials("b", "door-2")));

        // with the queues, as configured by default: the intake queue is not read, the events topic runs
        assertThat(BridgeMain.run(args("-Dbridge.jms.enabled=true"))).isEqualTo(0);
        assertThat(dir.resolve("outbox/good.summary.json")).exists();
    }

    @Test
    void exitsOneWhenAnyActionFailed() throws Exception {
        drop("mixed.json", Batches.document("once-mixed", Batches.credentials("a", "door-1"),
                Batches.credentials("b", "unknown-door-2")));

        assertThat(BridgeMain.run(args())).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("outbox/mixed.summary.json"))).contains("\"failed\":1");
    }

    @Test
    void exitsOneWhenARecordIsInvalid() throws Exception {
        drop("bad.jsonl", Batches.jsonLines(List.of(Batches.credentials("a", "door-1"), "{not json")));

        assertThat(BridgeMain.run(args())).isEqualTo(1);
    }

    @Test
    void waitsForTheInboxNotForWorkOtherTriggersLeftOpen() throws Exception {
        // a pull command submitted over the API earlier, which no device has fetched yet
        try (HikariDataSource db = LedgerDatabase.open("jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath(), "sa", "", null, 2)) {
            CommandStore commands = new CommandStore(new Ledger(db, Clock.systemUTC()));
            commands.openRequest("api-1", "http", null);
            commands.recordCommand(new NewCommand("api-1-c", "api-1", 1, 0, "actions[0]", null, "command", "gateway-3",
                    CommandState.QUEUED, "{\"command\":\"reboot\"}", "INBOX", null, Instant.now().plusSeconds(3600), null));
            commands.completeIntake("api-1");
        }
        drop("good.json", Batches.document("once-inbox", Batches.credentials("a", "door-1")));

        assertThat(BridgeMain.run(args("-Dbridge.once.max-wait=PT1M"))).isEqualTo(0);
        assertThat(dir.resolve("outbox/good.summary.json")).exists();
    }

    @Test
    void exitsZeroWithNothingToDo() {
        assertThat(BridgeMain.run(args())).isEqualTo(0);
    }

    @Test
    void exitsTwoOnBadConfiguration() {
        assertThat(BridgeMain.run(args("-Dbridge.simulator.enabled=false"))).isEqualTo(2);
        assertThat(BridgeMain.run(args("-Dbridge.simulator.enabled=false", "-Dbridge.access.base-url=http://example.com/api",
                "-Dbridge.access.api-key=k3y-for-test"))).isEqualTo(2);
    }

    @Test
    void exitsTwoOnAValueOutOfItsRangeOrUnreadable() {
        assertThat(BridgeMain.run(args("-Dbridge.action.deadline=garbage"))).isEqualTo(2);
        assertThat(BridgeMain.run(args("-Dbridge.network.chunk-size=500"))).isEqualTo(2);
        assertThat(BridgeMain.run(args("-Dbridge.network.rate-limit=0"))).isEqualTo(2);
        assertThat(BridgeMain.run(args("-Dbridge.db.url=jdbc:nope:x"))).isEqualTo(2);
    }
}
