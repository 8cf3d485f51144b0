package org.devicebridge.embed;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.devicebridge.BridgeConfiguration;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The bridge inside an existing Camel application (an ESB, a Camel Main or Spring Boot service):
 * its engine and its route templates on the application's CamelContext and DataSource.
 * <pre>
 *   DeviceBridge.install(context, dataSource, settings);     // before the context starts
 *   // then, in the application's RouteBuilder:
 *   templatedRoute(DeviceBridge.BATCH_INTAKE).routeId("device-orders")
 *       .parameter("in", "jms:queue:orders.devices").parameter("deadLetter", "jms:queue:orders.devices.DLQ");
 *   templatedRoute(DeviceBridge.EVENTS).routeId("device-events")
 *       .parameter("out", "jms:topic:devices.status").parameter("stream", "device-events");
 * </pre>
 * What it adds: the bridge's beans (as the stand-alone bridge binds them, see
 * {@link BridgeConfiguration}), the engine routes ({@value #ENGINE_ROUTES}: the cloud adapters,
 * deadlines, result files, webhooks out), and the route templates ({@value #TEMPLATES}). What it
 * leaves to the application: where batches come from and where events go (the templates'
 * endpoints), its broker, its HTTP server. The bridge's own queues and file inbox are not part of
 * it; its status API and the access cloud's webhook receiver are, on the application's HTTP server,
 * when {@value #HTTP_API} is true (else the access cloud is tracked by polling alone).
 * <p>
 * Configuration: the {@code bridge.*} keys of the stand-alone bridge (docs/configuration.md), below whatever
 * the application's properties component already resolves, and below {@code settings}. Secrets
 * come, as always, from the environment or files ({@code bridge.access.api-key-file}).
 */
public final class DeviceBridge {

    /** Template: batch documents from an endpoint into the ledger. Parameters {@code in}, {@code deadLetter}, {@code source}. */
    public static final String BATCH_INTAKE = "device-bridge-batch-intake";
    /** Template: every state change and request summary to an endpoint. Parameters {@code out}, {@code stream}, {@code tick}. */
    public static final String EVENTS = "device-bridge-events";

    /**
     * Where the jar keeps copies of the checkout's {@code routes/} and {@code config/}: in a folder of
     * their own, so that an application's own {@code classpath:routes/*} never picks them up.
     */
    public static final String PACKAGED = "device-bridge/";
    /** The engine's routes and the templates, in the checkout (and below {@link #PACKAGED} in the jar). */
    public static final String ENGINE_ROUTES = "routes/engine/*.yaml";
    public static final String TEMPLATES = "routes/templates/*.yaml";
    /**
     * The stand-alone bridge's HTTP edge: the status API, the operator console and the access cloud's webhook receiver, added
     * on the application's own HTTP server (its {@code platform-http} component, and its REST
     * configuration) when {@value #HTTP_API} is true.
     */
    public static final List<String> HTTP_ROUTES = List.of("routes/status-api.yaml", "routes/console.yaml", "routes/access-webhook.yaml");
    /** The setting that adds {@link #HTTP_ROUTES} (default false, in config/application.properties). */
    public static final String HTTP_API = "bridge.embed.http-api";
    /** The defaults of every key, in the checkout (and below {@link #PACKAGED} in the jar). */
    public static final String DEFAULTS = "config/application.properties";

    private DeviceBridge() {
    }

    /**
     * Adds the bridge to {@code context}, which must not be started yet.
     *
     * @param dataSource the ledger's home: the bridge's tables are created (Flyway) in its default schema;
     *                   the application keeps and closes the pool
     * @param settings   {@code bridge.*} keys that win over every other source
     */
    public static void install(CamelContext context, DataSource dataSource, Properties settings) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        for (String key : settings.stringPropertyNames()) {
            properties.addOverrideProperty(key, settings.getProperty(key));
        }
        Properties defaults = defaults();
        defaults.setProperty("bridge.simulator.enabled", "false"); // inside an application: only when asked for
        defaults.setProperty("bridge.examples.seed", "false");     // the stand-alone inbox is not the application's
        for (String key : defaults.stringPropertyNames()) {
            if (key.startsWith("bridge.") && properties.resolveProperty(key).isEmpty()) {
                properties.addInitialProperty(key, defaults.getProperty(key));
            }
        }
        new BridgeConfiguration(dataSource).configure(context);
        List<String> patterns = new ArrayList<>(List.of(TEMPLATES, ENGINE_ROUTES));
        if (properties.resolveProperty(HTTP_API).map(v -> Boolean.parseBoolean(v.trim())).orElse(false)) {
            patterns.addAll(HTTP_ROUTES);
        }
        List<Resource> routes = new ArrayList<>();
        for (String pattern : patterns) {
            routes.addAll(PluginHelper.getPackageScanResourceResolver(context).findResources("classpath:" + PACKAGED + pattern));
        }
        if (routes.isEmpty()) {
            throw new IllegalStateException("the bridge's routes are not on the classpath (" + ENGINE_ROUTES + ")");
        }
        PluginHelper.getRoutesLoader(context).loadRoutes(routes);
    }

    /** The defaults of every key, as packaged with the bridge. */
    private static Properties defaults() throws IOException {
        Properties p = new Properties();
        try (InputStream in = DeviceBridge.class.getClassLoader().getResourceAsStream(PACKAGED + DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException("the bridge's " + PACKAGED + DEFAULTS + " is not on the classpath");
            }
            p.load(in);
        }
        return p;
    }
}
