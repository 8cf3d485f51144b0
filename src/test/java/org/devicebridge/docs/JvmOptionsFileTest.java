package org.devicebridge.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@code config/jvm.options} is what the README runs the bridge with ({@code java @config/jvm.options -jar ...}):
 * the Java launcher must take it as an argument file (comments and all) and the JVM must end up with the
 * options docs/engine.md describes. Starts {@code java -version} with it; boots no bridge.
 */
class JvmOptionsFileTest {

    private static final Path OPTIONS = Path.of("config/jvm.options");

    @Test
    void theLauncherTakesTheFileAndTheJvmRunsWithItsOptions() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "@" + OPTIONS.toAbsolutePath(), "-XX:+PrintFlagsFinal", "-version")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("java -version ended").isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("TieredStopAtLevel\\s+=\\s+1\\s")
                .containsPattern("UseSerialGC\\s+=\\s+true\\s");
    }

    @Test
    void theReadmeAndTheServiceUnitRunTheBridgeWithIt() throws IOException {
        assertThat(Files.readString(Path.of("README.md")))
                .contains("java @config/jvm.options -jar target/device-action-bridge.jar --once");
        assertThat(Files.readString(Path.of("docs/operations.md"))).contains("ExecStart=/usr/bin/java @/srv/bridge/jvm.options -jar");
        List<String> options = Files.readAllLines(OPTIONS).stream().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        String engine = Files.readString(Path.of("docs/engine.md"));
        assertThat(options).as("the options in effect").isNotEmpty()
                .allSatisfy(option -> assertThat(engine).as("docs/engine.md explains " + option).contains(option));
    }
}
