package com.example.esb;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.devicebridge.embed.DeviceBridge;

import java.nio.file.Path;
import java.util.Properties;

/**
 * A Java application (an ESB's) that embeds Device Action Bridge on its own CamelContext, database
 * pool and HTTP server (docs/embedding.md, "A Java application"). Batch files dropped into a folder
 * go into the bridge; the bridge's events go to the application's own route; the bridge's status
 * API and the access cloud's webhook receiver answer on the application's HTTP server.
 * <p>
 * Run it from the project folder, after {@code mvn -B -q -DskipTests package} (the class is compiled
 * with the tests):
 * <pre>
 *   java -cp "target/test-classes:target/device-action-bridge.jar:target/lib/*" com.example.esb.EsbApplication
 * </pre>
 * then drop a batch into {@code data/esb-java/drop/} and ask
 * {@code curl -H "Authorization: Bearer $BRIDGE_API_TOKEN" localhost:8091/commands/v0/status}.
 */
public final class EsbApplication implements AutoCloseable {

    private final HikariDataSource database;
    private final CamelContext context;

    private EsbApplication(HikariDataSource database, CamelContext context) {
        this.database = database;
        this.context = context;
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("data/esb-java");
        Properties bridge = new Properties();
        // the device clouds: the bridge's built-in simulator, so that the example runs as it is; a real
        // deployment sets bridge.access.base-url, and the API key from BRIDGE_ACCESS_API_KEY
        bridge.setProperty("bridge.simulator.enabled", "true");
        bridge.setProperty("bridge.outbox.dir", data.resolve("outbox").toString());
        try (EsbApplication app = start("jdbc:h2:file:./" + data.resolve("ledger"), 8091, data.resolve("drop"), data.resolve("rejected"),
                bridge)) {
            Runtime.getRuntime().addShutdownHook(new Thread(app::close));
            Thread.currentThread().join();   // until Ctrl-C
        }
    }

    /**
     * Starts the application.
     *
     * @param bridge the bridge's settings ({@code bridge.*}, as in its config/application.properties), over its
     *               defaults; secrets (the status API's token, cloud keys) come from the environment as always
     */
    public static EsbApplication start(String jdbcUrl, int httpPort, Path drop, Path rejected, Properties bridge) throws Exception {
        // the application's own parts: its database pool, its CamelContext, its HTTP server
        HikariDataSource database = new HikariDataSource();
        database.setJdbcUrl(jdbcUrl);
        database.setPoolName("esb");
        CamelContext context = new DefaultCamelContext();
        VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
        http.setBindHost("127.0.0.1");
        http.setBindPort(httpPort);
        context.addService(new VertxPlatformHttpServer(http));
        context.getRestConfiguration().setComponent("platform-http");

        // the bridge: its engine and templates, and its status API and webhook receiver on the server above
        Properties settings = new Properties();
        settings.putAll(bridge);
        settings.setProperty(DeviceBridge.HTTP_API, "true");
        settings.setProperty("bridge.http.port", String.valueOf(httpPort));   // where the bridge's webhook receiver is
        DeviceBridge.install(context, database, settings);

        // the application's routes: where batches come from, where the bridge's events go
        TemplatedRouteBuilder.builder(context, DeviceBridge.BATCH_INTAKE).routeId("esb-device-batches")
                .parameter("in", "file:" + drop + "?readLock=changed&readLockMinAge=500&move=.done&moveFailed=.failed")
                .parameter("deadLetter", "file:" + rejected)
                .parameter("source", "esb-java")
                .add();
        TemplatedRouteBuilder.builder(context, DeviceBridge.EVENTS).routeId("esb-device-events")
                .parameter("out", "direct:esb-device-events")
                .parameter("stream", "esb-java")
                .add();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:esb-device-events").routeId("esb-device-events-out")
                        .log("${header.BridgeEventType}: ${body}");
            }
        });
        context.start();
        return new EsbApplication(database, context);
    }

    public CamelContext context() {
        return context;
    }

    public HikariDataSource database() {
        return database;
    }

    @Override
    public void close() {
        context.stop();
        database.close();
    }
}
