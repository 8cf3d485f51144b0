package org.devicebridge;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Everything a secret could leak into, as text: the ledger, the files the bridge wrote, the test log. */
final class LeakSearch {

    /** This JVM's test log (log4j2-test.properties): one per surefire fork, named in the pom. */
    static final Path TEST_LOG = Path.of(System.getProperty("bridge.test.log", "target/test-logs/bridge-tests.log"));

    private LeakSearch() {
    }

    /** Every value of every row of every ledger table; {@code mustContain} proves the dump holds the run. */
    static String ledgerText(TestBridge bridge, String mustContain) {
        JdbcTemplate jdbc = new JdbcTemplate(bridge.context().getRegistry().lookupByNameAndType("ledgerDataSource", DataSource.class));
        StringBuilder all = new StringBuilder();
        for (String table : List.of("bridge_request", "bridge_command", "bridge_transition", "bridge_call", "bridge_intake_error",
                "bridge_rate_limit", "bridge_rate_slot", "CAMEL_MESSAGEPROCESSED")) {
            jdbc.queryForList("SELECT * FROM " + table).forEach(row -> all.append(row.values()).append('\n'));
        }
        assertThat(all).contains(mustContain);
        return all.toString();
    }

    /** Every file under {@code root} (outbox, dead letters, archive), except the ledger database itself. */
    static String filesText(Path root) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".db")).toList()) {
                all.append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    /** The test run's whole log so far (every test class in this JVM). */
    static String testLog() throws IOException {
        return Files.readString(TEST_LOG, StandardCharsets.ISO_8859_1);
    }
}
