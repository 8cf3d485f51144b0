package org.devicebridge;

import org.apache.camel.main.Main;
import org.devicebridge.embed.DeviceBridge;

import java.util.Map;
import java.util.Properties;

/**
 * Builds the bridge's Camel Main: configuration from {@code --config}, the working directory's
 * {@code config/application.properties} and the packaged copy (in that order of precedence), overridable by
 * system properties and environment variables; routes from {@code routes/} (with {@code engine/}
 * and {@code templates/}); beans from
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
        // the routes (the stand-alone bridge's triggers and edges, the engine, the route templates) are
        // where camel.main.routes-include-pattern says: the packaged copy by default
        main.configure().addConfiguration(BridgeConfiguration.class);
        return main;
    }

    /**
     * Where the configuration comes from, highest precedence first: Camel's properties component
     * takes a key from the first location that has it. {@code --config FILE}, then the working
     * directory's {@code config/application.properties}, then the packaged copy (the defaults).
     */
    static String propertyLocations(String extraConfig) {
        String locations = "file:" + DeviceBridge.DEFAULTS + ";optional=true,classpath:" + DeviceBridge.PACKAGED + DeviceBridge.DEFAULTS
                + ";optional=true";
        return extraConfig == null ? locations : "file:" + extraConfig + "," + locations;
    }
}
