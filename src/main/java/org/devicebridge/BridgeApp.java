package org.devicebridge;

import org.apache.camel.main.Main;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Builds the bridge's Camel Main: configuration from {@code config/application.properties}
 * (the packaged copy, then the working directory's, then {@code --config}), overridable by
 * system properties and environment variables; routes from {@code routes/*.yaml} and route
 * templates from {@code routes/templates/*.yaml}; beans from
 * {@link BridgeConfiguration}. The command line ({@link BridgeMain}) and the tests use this same
 * assembly.
 */
public final class BridgeApp {

    private BridgeApp() {
    }

    /**
     * @param extraConfig an additional properties file (or null)
     * @param overrides   properties that win over every file (tests, command-line flags)
     */
    public static Main create(String extraConfig, Map<String, String> overrides) {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(propertyLocations(extraConfig));
        Properties props = new Properties();
        props.putAll(overrides);
        main.setOverrideProperties(props);
        // the routes and route templates are read from routes/ when it is there (a checkout), else from the packaged copy
        main.configure().withRoutesIncludePattern(Files.isDirectory(Path.of("routes"))
                ? "file:routes/*.yaml,file:routes/templates/*.yaml" : "classpath:routes/*.yaml,classpath:routes/templates/*.yaml");
        main.configure().addConfiguration(BridgeConfiguration.class);
        return main;
    }

    /** Where the configuration comes from, lowest precedence first. */
    static String propertyLocations(String extraConfig) {
        String locations = "classpath:config/application.properties;optional=true,file:config/application.properties;optional=true";
        return extraConfig == null ? locations : locations + ",file:" + extraConfig;
    }
}
