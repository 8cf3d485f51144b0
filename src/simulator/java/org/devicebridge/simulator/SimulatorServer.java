package org.devicebridge.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;
import org.devicebridge.simulator.home.HomeCloudSettings;
import org.devicebridge.simulator.home.HomeCloudSimulator;
import org.devicebridge.simulator.network.NetworkCloudSettings;
import org.devicebridge.simulator.network.NetworkCloudSimulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loopback HTTP server ({@code 127.0.0.1}) that hosts simulated device clouds under path
 * prefixes.
 *
 * <p>Every response, including the {@code 404} for paths no cloud owns and the {@code 500}
 * for an unexpected failure, carries an {@code X-Request-ID} header. Typical use:
 *
 * <pre>{@code
 * try (SimulatorServer server = SimulatorServer.start(0)) {
 *     AccessCloudSimulator access = server.addAccessCloud(AccessCloudSettings.builder("key").build());
 *     String accessBaseUrl = access.baseUrl();   // http://127.0.0.1:PORT/access
 *     NetworkCloudSimulator network = server.addNetworkCloud(NetworkCloudSettings.builder("token").build());
 *     HomeCloudSimulator home = server.addHomeCloud(HomeCloudSettings.builder("oauth").build());
 * }
 * }</pre>
 */
public final class SimulatorServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatorServer.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final int HANDLER_THREADS = 8;

    private final HttpServer http;
    private final ExecutorService executor;
    private final Set<String> prefixes = ConcurrentHashMap.newKeySet();
    private final List<CloudSimulator> clouds = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SimulatorServer(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    /**
     * Binds {@code 127.0.0.1:port} and starts serving (only {@code 404}s until a cloud is added).
     *
     * @param port the TCP port, {@code 0} for a random free one
     * @return the running server
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static SimulatorServer start(int port) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the simulator to " + LOOPBACK + ":" + port, e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(HANDLER_THREADS, daemonThreads("simulator-http-"));
        SimulatorServer server = new SimulatorServer(http, executor);
        http.setExecutor(executor);
        http.createContext("/", server::unknownPath);
        http.start();
        return server;
    }

    /**
     * Mounts the access cloud at {@code /access} (and its upload URLs at {@code /uploads}).
     *
     * @param settings the cloud's settings
     * @return the running access cloud
     * @throws IllegalStateException when an access cloud is already mounted
     */
    public AccessCloudSimulator addAccessCloud(AccessCloudSettings settings) {
        return add(new AccessCloudSimulator(settings, baseUrl()));
    }

    /**
     * Mounts the network cloud at {@code /network}.
     *
     * @param settings the cloud's settings
     * @return the running network cloud
     * @throws IllegalStateException when a network cloud is already mounted
     */
    public NetworkCloudSimulator addNetworkCloud(NetworkCloudSettings settings) {
        return add(new NetworkCloudSimulator(settings, baseUrl()));
    }

    /**
     * Mounts the home cloud at {@code /home}.
     *
     * @param settings the cloud's settings
     * @return the running home cloud
     * @throws IllegalStateException when a home cloud is already mounted
     */
    public HomeCloudSimulator addHomeCloud(HomeCloudSettings settings) {
        return add(new HomeCloudSimulator(settings, baseUrl()));
    }

    /**
     * Mounts any cloud under its own prefixes; the server closes it on {@link #close()}.
     *
     * @param cloud the cloud to mount
     * @param <T>   the cloud's type
     * @return the same cloud
     * @throws IllegalStateException when one of its prefixes is taken or the server is closed
     */
    public synchronized <T extends CloudSimulator> T add(T cloud) {
        if (closed.get()) {
            cloud.close();
            throw new IllegalStateException("simulator server is closed");
        }
        Map<String, HttpHandler> handlers = cloud.handlers();
        for (String prefix : handlers.keySet()) {
            if (!prefix.startsWith("/") || prefix.endsWith("/") || prefixes.contains(prefix)) {
                cloud.close();
                throw new IllegalStateException("path prefix unusable or already mounted: " + prefix);
            }
        }
        handlers.forEach((prefix, handler) -> {
            prefixes.add(prefix);
            http.createContext(prefix, exchange -> serve(exchange, prefix, handler));
        });
        clouds.add(cloud);
        return cloud;
    }

    /** The server's base URL, {@code http://127.0.0.1:PORT}, without a trailing slash. */
    public String baseUrl() {
        return "http://" + LOOPBACK + ":" + port();
    }

    /** The bound TCP port. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** Closes all clouds, then stops serving at once and releases the port. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<CloudSimulator> reversed = new ArrayList<>(clouds);
        Collections.reverse(reversed);
        reversed.forEach(CloudSimulator::close);
        http.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(HttpExchange exchange, String prefix, HttpHandler handler) {
        SimulatorHttp.assignRequestId(exchange);
        try {
            String rawPath = exchange.getRequestURI().getRawPath();
            if (rawPath.equals(prefix) || rawPath.startsWith(prefix + "/")) {
                handler.handle(exchange);
            } else {
                notFound(exchange);
            }
        } catch (Exception e) {
            LOG.warn("simulator handler for {} failed: {}", prefix, e.toString());
            trySendInternalError(exchange);
        } finally {
            exchange.close();
        }
    }

    private void unknownPath(HttpExchange exchange) {
        SimulatorHttp.assignRequestId(exchange);
        try {
            SimulatorHttp.readBody(exchange);
            notFound(exchange);
        } catch (IOException e) {
            LOG.debug("cannot answer unknown path: {}", e.toString());
        } finally {
            exchange.close();
        }
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        SimulatorHttp.sendError(exchange, 404, "unrecognized_request",
                "no resource at " + exchange.getRequestURI().getRawPath());
    }

    private static void trySendInternalError(HttpExchange exchange) {
        try {
            SimulatorHttp.sendError(exchange, 500, "internal_server_error", "unexpected simulator failure");
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot send 500 (response probably already started): {}", e.toString());
        }
    }

    /**
     * A thread factory for daemon threads named {@code prefix + n}.
     *
     * @param prefix thread name prefix
     * @return the factory
     */
    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
