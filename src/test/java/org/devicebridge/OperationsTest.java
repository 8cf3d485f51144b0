package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.devicebridge.cloud.StepWorkers;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.observe.StepLogContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator runs and reads: {@code --version}; the log lines of the stand-alone bridge
 * (src/main/resources/log4j2.properties) in both forms: text, whose line ends after an exception's
 * message too, and JSON ({@code BRIDGE_LOG_FORMAT=json}), one object per line with the request,
 * command and device of each line about one, read back with Jackson from a real {@code --once} run
 * of the command line in a JVM of its own (its own logging, as an operator starts it); and an engine
 * step's MDC, which names its command for the whole step and is gone when the step ends.
 */
class OperationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void printsTheArtifactVersionAndExitsZero() {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            exit = BridgeMain.run(new String[]{"--version"});
        } finally {
            System.setOut(out);
        }

        assertThat(exit).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).matches("device-action-bridge \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
    }

    @Test
    void refusesALogFormatItDoesNotKnow() {
        assertThat(BridgeMain.run(new String[]{"--once", "-Dbridge.log.format=xml"})).isEqualTo(2);
    }

    @Test
    void endsTheTextLineAfterAnExceptionsMessageSoTheNextLineStartsOnItsOwn() throws Exception {
        Layout<?> text = productionLayout("text");

        String lines = text.toSerializable(event("calling the cloud failed", new IllegalStateException(
                "refused by http://cloud.example/v3/devices/action?access_token=s3cr3t"))) + "" + text.toSerializable(event("next line", null));

        assertThat(lines.split("\\R", -1)).hasSize(3).endsWith("");
        assertThat(lines).contains("calling the cloud failed: refused by http://cloud.example/v3/devices/action?<redacted>\n")
                .doesNotContain("s3cr3t");
        assertThat(lines.lines().skip(1).findFirst().orElseThrow()).endsWith("next line");
    }

    @Test
    void writesAnExceptionIntoItsJsonLineWithoutItsSecrets() throws Exception {
        Layout<?> json = productionLayout("json");

        String line = json.toSerializable(event("calling the cloud failed", new IllegalStateException(
                "refused by http://cloud.example/v3/devices/action?access_token=s3cr3t"))).toString();

        assertThat(line).endsWith("\n").doesNotContain("s3cr3t");
        JsonNode object = JSON.readTree(line);
        assertThat(object.path("level").asText()).isEqualTo("WARN");
        assertThat(object.path("message").asText()).isEqualTo("calling the cloud failed");
        assertThat(object.path("error_type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(object.path("error_message").asText()).isEqualTo("refused by http://cloud.example/v3/devices/action?<redacted>");
        assertThat(object.path("request_id").asText()).isEqualTo("req-1");
        assertThat(object.path("device").asText()).isEqualTo("door-1");
    }

    @Test
    void writesOneJsonObjectPerLineNamingTheRequestCommandAndDeviceWhenStartedWithJsonLogs() throws Exception {
        Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(dir.resolve("inbox/json-logs.json"), Batches.document("json-logs-1",
                Batches.credentials("a", "door-41"), Batches.credentials("b", "door-42")));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", mainClassPath(), BridgeMain.class.getName()));
        command.addAll(List.of(TestBridge.onceCommandLine(dir)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().put("BRIDGE_LOG_FORMAT", "json");
        Process bridge = builder.start();
        String out;
        try (InputStream stdout = bridge.getInputStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            if (!bridge.waitFor(90, TimeUnit.SECONDS)) {
                bridge.destroyForcibly();
            }
        }

        assertThat(bridge.exitValue()).as("exit code; stderr: %s", Files.readString(dir.resolve("stderr.txt"))).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.split("\\R")) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        // every log line is one object; what is not (the --once summary on stdout) is the command's own printout
        assertThat(lines).hasSizeGreaterThan(5).allSatisfy(l -> assertThat(l.fieldNames()).toIterable()
                .contains("time", "level", "logger", "message"));
        assertThat(lines).filteredOn(l -> l.path("message").asText().contains("request json-logs-1 opened"))
                .singleElement().satisfies(l -> assertThat(l.path("request_id").asText()).isEqualTo("json-logs-1"));
        List<JsonNode> finished = lines.stream().filter(l -> l.path("message").asText().contains("): Command Success")).toList();
        assertThat(finished).extracting(l -> l.path("device").asText()).containsExactlyInAnyOrder("door-41", "door-42");
        assertThat(finished).allSatisfy(l -> {
            assertThat(l.path("request_id").asText()).isEqualTo("json-logs-1");
            assertThat(l.path("message").asText()).contains(l.path("command_id").asText()).contains(l.path("device").asText());
        });
    }

    @Test
    void namesAStepsCommandInItsLinesAndForgetsItWhenTheStepEnds() throws Exception {
        CommandRecord command = new CommandRecord("cmd-1", "req-1", 0, 0, "line 1", null, "credentials", "door-7", CommandState.QUEUED,
                false, false, "{}", "CREATE", null, null, null, null, 0, 0, null, null, null, null, null, null);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            StepWorkers workers = new StepWorkers(context, "operations-test", 1);   // one thread: the next step runs where this one ran
            Map<String, String> during = workers.submit(() -> {
                new StepLogContext().enter(command);
                return MDC.getCopyOfContextMap();
            }).get(10, TimeUnit.SECONDS);
            Map<String, String> after = workers.submit(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS);
            workers.shutdown();

            assertThat(during).containsEntry("request_id", "req-1").containsEntry("command_id", "cmd-1").containsEntry("device", "door-7");
            assertThat(after == null ? Map.of() : after).doesNotContainKeys("request_id", "command_id", "device");
        }
    }

    /** The test JVM's class path without the tests' own classes (whose log4j2-test.properties would win). */
    private static String mainClassPath() {
        String classPath = Objects.requireNonNullElse(System.getProperty("surefire.test.class.path"), System.getProperty("java.class.path"));
        return Arrays.stream(classPath.split(File.pathSeparator)).filter(p -> !p.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** A layout of the stand-alone bridge's log configuration, built on its own, apart from the tests' logging. */
    private static Layout<?> productionLayout(String appender) throws IOException {
        LoggerContext context = new LoggerContext("operations-test");
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/log4j2.properties"))) {
            Configuration config = new PropertiesConfigurationFactory().getConfiguration(context, new ConfigurationSource(in));
            config.initialize();
            return config.getAppender(appender).getLayout();
        }
    }

    private static LogEvent event(String message, Throwable thrown) {
        SortedArrayStringMap mdc = new SortedArrayStringMap();
        mdc.putValue("request_id", "req-1");
        mdc.putValue("device", "door-1");
        return Log4jLogEvent.newBuilder().setLoggerName("org.devicebridge.Test").setLevel(thrown == null ? Level.INFO : Level.WARN)
                .setMessage(new SimpleMessage(message)).setThrown(thrown).setContextData(mdc).setTimeMillis(System.currentTimeMillis())
                .build();
    }
}
