package org.devicebridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import org.devicebridge.simulation.SimulatedClouds;
import org.junit.jupiter.api.Test;

/**
 * The simulator stays apart (docs/simulator.md): the product's sources never name it, the bridge finds
 * it only through {@link SimulatedClouds} and {@link ServiceLoader}, and it still runs on its own.
 * Reads the sources and the classpath; boots nothing.
 */
class SimulatorApartTest {

    private static final Path PRODUCT = Path.of("src/main/java");
    private static final Path SIMULATOR = Path.of("src/simulator/java/org/devicebridge/simulator");
    private static final String SIMULATOR_PACKAGE = "org.devicebridge.simulator";

    @Test
    void theProductNeverNamesTheSimulator() throws IOException {
        List<String> naming;
        try (Stream<Path> files = Files.walk(PRODUCT)) {
            naming = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> read(f).contains(SIMULATOR_PACKAGE))
                    .map(Path::toString).toList();
        }
        assertThat(naming).as("files under %s that import or name %s (reach it through SimulatedClouds only)",
                PRODUCT, SIMULATOR_PACKAGE).isEmpty();
        assertThat(PRODUCT.resolve("org/devicebridge/simulator")).as("the simulator lives in src/simulator/java").doesNotExist();
    }

    @Test
    void theSimulatorIsFoundThroughTheServiceLoader() {
        assertThat(ServiceLoader.load(SimulatedClouds.class).stream().map(p -> p.type().getName()))
                .containsExactly(SIMULATOR_PACKAGE + ".SimulatorClouds");
    }

    @Test
    void theSimulatorStillRunsAlone() throws Exception {
        assertThat(SIMULATOR.resolve("SimulatorMain.java")).exists();
        Method main = Class.forName(SIMULATOR_PACKAGE + ".SimulatorMain").getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers())).isTrue();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
