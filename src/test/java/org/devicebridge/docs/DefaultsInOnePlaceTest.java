package org.devicebridge.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every default lives in config/application.properties and nowhere else: the code reads a
 * setting without a default of its own (Settings' one-argument readers), the routes' placeholders
 * carry none ({@code {{bridge.x}}}, not {@code {{bridge.x:5}}}), and each key they read has its
 * default in the file. Reads the sources; boots nothing.
 */
class DefaultsInOnePlaceTest {

    private static final Path PROPERTIES = Path.of("config/application.properties");
    /** A setting read by one of Settings' readers with a literal default in the call. */
    private static final Pattern READ_WITH_DEFAULT = Pattern.compile(
            "settings\\.(integer|decimal|bool|duration)\\(\"(bridge\\.[^\"]+)\",\\s*[^,)]+\\)"
                    + "|settings\\.(integer)\\(\"(bridge\\.[^\"]+)\",\\s*[^,)]+,\\s*[^,)]+,\\s*[^,)]+\\)"
                    + "|settings\\.get\\(\"(bridge\\.[^\"]+)\",\\s*\"[^\"]+\"\\)");
    /** A setting read without a default of its own. */
    private static final Pattern READ = Pattern.compile("settings\\.(integer|decimal|bool|duration|required)\\(\"(bridge\\.[^\"]+)\"");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(bridge\\.[A-Za-z0-9.-]+)(:[^}]*)?}}");

    /** Keys whose absence means something else than a default (a value derived at run time, or set by the code). */
    private static final List<String> DERIVED = List.of("bridge.jms.intake-startup", "bridge.access.client-id", "bridge.access.installation-id",
            "bridge.access.webhook-user", "bridge.simulator.access.garbled-answer-share",
            "bridge.simulator.network.garbled-answer-share", "bridge.simulator.home.garbled-answer-share",
            "bridge.db.pool-size");   // blank: sized by the database the URL names (LedgerDatabase.defaultPoolSize)

    @Test
    void theCodeAndTheRoutesGiveNoDefaultOfTheirOwn() {
        List<String> found = new ArrayList<>();
        forEachFile(Path.of("src/main/java"), ".java", (file, text) -> {
            Matcher m = READ_WITH_DEFAULT.matcher(text);
            while (m.find()) {
                String key = m.group(2) != null ? m.group(2) : m.group(4) != null ? m.group(4) : m.group(5);
                if (!DERIVED.contains(key)) {
                    found.add(file + ": " + m.group());
                }
            }
        });
        forEachFile(Path.of("routes"), ".yaml", (file, text) -> {
            Matcher m = PLACEHOLDER.matcher(text);
            while (m.find()) {
                if (m.group(2) != null) {
                    found.add(file + ": " + m.group());
                }
            }
        });
        assertThat(found).as("defaults outside " + PROPERTIES + " (read the key without one: its default is in the file)")
                .isEmpty();
    }

    @Test
    void everyKeyTheCodeAndTheRoutesReadHasItsDefaultInThePropertiesFile() throws IOException {
        Map<String, String> settings = settings();
        List<String> missing = new ArrayList<>();
        forEachFile(Path.of("src/main/java"), ".java", (file, text) -> {
            Matcher m = READ.matcher(text);
            while (m.find()) {
                if (settings.getOrDefault(m.group(2), "").isEmpty() && !DERIVED.contains(m.group(2))) {
                    missing.add(file + ": " + m.group(2));
                }
            }
        });
        forEachFile(Path.of("routes"), ".yaml", (file, text) -> {
            Matcher m = PLACEHOLDER.matcher(text);
            while (m.find()) {
                if (!settings.containsKey(m.group(1)) && !DERIVED.contains(m.group(1))) {
                    missing.add(file + ": " + m.group(1));
                }
            }
        });
        assertThat(missing).as("keys read without a default in " + PROPERTIES).isEmpty();
    }

    private static Map<String, String> settings() throws IOException {
        Map<String, String> settings = new java.util.HashMap<>();
        for (String line : Files.readAllLines(PROPERTIES, StandardCharsets.UTF_8)) {
            Matcher m = Pattern.compile("^(bridge\\.[A-Za-z0-9.-]+)\\s*=\\s*(.*)$").matcher(line);
            if (m.matches()) {
                settings.put(m.group(1), m.group(2).trim());
            }
        }
        return settings;
    }

    private static void forEachFile(Path root, String suffix, java.util.function.BiConsumer<Path, String> action) {
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(suffix)).sorted().forEach(f -> {
                try {
                    action.accept(f, Files.readString(f, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
