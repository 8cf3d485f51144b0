package org.devicebridge;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a setting comes from, as the configuration reference (docs/configuration.md) promises: {@code --config FILE}
 * over the working directory's {@code config/application.properties} over the packaged defaults;
 * {@code -D} options and environment variables over all files.
 */
class ConfigurationPrecedenceTest {

    @TempDir
    Path dir;

    @Test
    void aConfigFileOverridesTheDefaultsOfEveryKey() throws Exception {
        Path config = dir.resolve("site.properties");
        Files.writeString(config, "bridge.http.port = 18596\nbridge.simulator.enabled = false\n");

        try (DefaultCamelContext context = contextWith(config.toString(), new Properties())) {
            Settings settings = new Settings(context);

            assertThat(settings.integer("bridge.http.port", 0)).isEqualTo(18596);
            assertThat(settings.bool("bridge.simulator.enabled", true)).isFalse();
            assertThat(settings.get("bridge.inbox.dir", null)).isEqualTo("data/inbox"); // the rest keeps its default
        }
    }

    @Test
    void aCommandLineOptionOverridesTheConfigFile() throws Exception {
        Path config = dir.resolve("site.properties");
        Files.writeString(config, "bridge.http.port = 18596\n");
        Properties options = new Properties();
        options.setProperty("bridge.http.port", "18597");

        try (DefaultCamelContext context = contextWith(config.toString(), options)) {
            assertThat(new Settings(context).integer("bridge.http.port", 0)).isEqualTo(18597);
        }
    }

    @Test
    void withoutAConfigFileTheDefaultsApply() throws Exception {
        try (DefaultCamelContext context = contextWith(null, new Properties())) {
            assertThat(new Settings(context).integer("bridge.http.port", 0)).isEqualTo(8080);
        }
    }

    private static DefaultCamelContext contextWith(String configFile, Properties overrides) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation(BridgeApp.propertyLocations(configFile));
        context.getPropertiesComponent().setOverrideProperties(overrides);
        return context;
    }
}
