package org.devicebridge.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The configuration reference (docs/configuration.md) and the defaults (config/application.properties)
 * say the same: every {@code bridge.*} setting of the file has a row in the reference with the file's
 * default, and every key the reference lists is in the file, as a setting or in a comment (secrets,
 * per-name keys). Reads two files; boots nothing.
 */
class ConfigurationReferenceTest {

    private static final Path PROPERTIES = Path.of("config/application.properties");
    private static final Path REFERENCE = Path.of("docs/configuration.md");

    /** {@code bridge.x.y = value} at the start of a line (not a comment). */
    private static final Pattern SETTING = Pattern.compile("^(bridge\\.[A-Za-z0-9.<>_-]+)\\s*=\\s*(.*)$");
    /** A table row of the reference: {@code | `bridge.x.y` | default | meaning |}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`(bridge\\.[^`]+)`\\s*\\|(.*)$");

    @Test
    void everySettingOfThePropertiesFileIsInTheReferenceWithItsDefault() throws IOException {
        Map<String, String> reference = referenceRows();
        List<String> problems = new ArrayList<>();
        settings().forEach((key, value) -> {
            String documented = reference.get(key);
            if (documented == null) {
                problems.add(key + ": set in " + PROPERTIES + " but not in " + REFERENCE);
            } else if (!documented.equals(value.isEmpty() ? "(blank)" : "`" + value + "`")) {
                problems.add(key + ": default '" + value + "' in " + PROPERTIES + ", but " + documented + " in " + REFERENCE);
            }
        });
        assertThat(problems).as("settings and their reference").isEmpty();
    }

    @Test
    void everyKeyOfTheReferenceIsInThePropertiesFile() throws IOException {
        String properties = Files.readString(PROPERTIES, StandardCharsets.UTF_8);
        List<String> missing = referenceRows().keySet().stream()
                .filter(key -> !Pattern.compile("(?<![A-Za-z0-9.-])" + Pattern.quote(key) + "(?![A-Za-z0-9-])")
                        .matcher(properties).find())
                .map(key -> key + ": in " + REFERENCE + " but nowhere in " + PROPERTIES
                        + " (give it its default there, or name it in a comment when it has none)")
                .toList();
        assertThat(missing).as("documented keys without a home in the properties file").isEmpty();
    }

    /** Each {@code bridge.*} key set in the properties file, with its value as written. */
    private static Map<String, String> settings() throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(PROPERTIES, StandardCharsets.UTF_8)) {
            Matcher setting = SETTING.matcher(line.strip());
            if (setting.matches()) {
                settings.put(setting.group(1), setting.group(2).strip());
            }
        }
        assertThat(settings).as("bridge.* settings in " + PROPERTIES).isNotEmpty();
        return settings;
    }

    /** Each key of the reference's tables, with its default cell as written (a table's {@code \|} unescaped). */
    private static Map<String, String> referenceRows() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(REFERENCE, StandardCharsets.UTF_8)) {
            Matcher row = ROW.matcher(line.strip());
            if (row.matches()) {
                String[] cells = row.group(2).split("(?<!\\\\)\\|");
                String previous = rows.put(row.group(1), cells[0].strip().replace("\\|", "|"));
                assertThat(previous).as(row.group(1) + " twice in " + REFERENCE).isNull();
            }
        }
        assertThat(rows).as("rows in " + REFERENCE).isNotEmpty();
        return rows;
    }
}
