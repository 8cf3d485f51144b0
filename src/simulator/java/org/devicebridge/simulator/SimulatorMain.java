package org.devicebridge.simulator;

import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.home.HomeCloudSettings;
import org.devicebridge.simulator.network.NetworkCloudSettings;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs the simulator standalone until interrupted (Ctrl-C).
 *
 * <p>Each option is read from a {@code --name=value} argument, else the system property
 * {@code simulator.name}, else the environment variable {@code SIMULATOR_NAME} (upper case,
 * {@code -} and {@code .} as {@code _}):
 * <ul>
 *   <li>{@code port} (default 0 = random);</li>
 *   <li>access cloud, mounted when {@code access.api-key} is given:
 *       {@code access.webhook-url}, {@code access.webhook-secret},
 *       {@code access.processing-delay}, {@code access.upload-url-ttl} (durations such as {@code 2s},
 *       {@code 500ms}, {@code 10m}, {@code PT2S}),
 *       {@code access.transient-5xx-share}, {@code access.too-many-requests-share},
 *       {@code access.garbled-answer-share} (0..1 of 2xx answers cut short after the call took effect),
 *       {@code access.webhook-duplicate-share} (0..1), {@code access.webhook-reorder} (true/false),
 *       {@code access.unknown-device-pattern}, {@code access.seed};</li>
 *   <li>network cloud, mounted when {@code network.token} is given: {@code network.rate-limit}
 *       (default 10), {@code network.rate-window} (default {@code 1m}),
 *       {@code network.max-devices-per-request} (100), {@code network.latency},
 *       {@code network.transient-5xx-share}, {@code network.garbled-answer-share}, {@code network.unknown-device-pattern},
 *       {@code network.unsupported-pattern}, {@code network.unknown-mac-pattern},
 *       {@code network.unsupported-mac-pattern}, {@code network.groups} (comma-separated known
 *       group ids, default {@code default}), {@code network.seed};</li>
 *   <li>home cloud, mounted when {@code home.token} is given: {@code home.latency},
 *       {@code home.transient-5xx-share}, {@code home.garbled-answer-share}, {@code home.unknown-device-pattern},
 *       {@code home.unreachable-device-pattern}, {@code home.busy-device-pattern},
 *       {@code home.mode-locked-device-pattern}, {@code home.broken-device-pattern},
 *       {@code home.seed}.</li>
 * </ul>
 * At least one of the three secrets must be given.
 * Example: {@code java -cp 'target/device-action-bridge.jar:target/lib/*'
 * org.devicebridge.simulator.SimulatorMain --port=8089 --access.api-key=dev-key}
 * (prefer the environment variables for the secrets, e.g. {@code SIMULATOR_NETWORK_TOKEN}:
 * they stay out of the process list).
 */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    /**
     * Starts the server and blocks until the JVM shuts down.
     *
     * @param args {@code --name=value} options
     * @throws InterruptedException when interrupted while waiting
     */
    public static void main(String[] args) throws InterruptedException {
        Options options = new Options(args);
        String apiKey = options.get("access.api-key", null);
        String networkToken = options.get("network.token", null);
        String homeToken = options.get("home.token", null);
        if (isBlank(apiKey) && isBlank(networkToken) && isBlank(homeToken)) {
            System.err.println("give at least one of access.api-key, network.token, home.token "
                    + "(--access.api-key=..., -Dsimulator.access.api-key=... or SIMULATOR_ACCESS_API_KEY, "
                    + "and likewise for the others)");
            System.exit(2);
        }
        AccessCloudSettings access = isBlank(apiKey) ? null : accessSettings(options, apiKey);
        NetworkCloudSettings network = isBlank(networkToken) ? null : networkSettings(options, networkToken);
        HomeCloudSettings home = isBlank(homeToken) ? null : homeSettings(options, homeToken);
        SimulatorServer server = SimulatorServer.start(Integer.parseInt(options.get("port", "0")));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.out.println("Device cloud simulator on " + server.baseUrl());
        if (access != null) {
            System.out.println("  access cloud: " + server.addAccessCloud(access).baseUrl() + " (" + access + ")");
        }
        if (network != null) {
            System.out.println("  network cloud: " + server.addNetworkCloud(network).baseUrl() + " (" + network + ")");
        }
        if (home != null) {
            System.out.println("  home cloud: " + server.addHomeCloud(home).baseUrl() + " (" + home + ")");
        }
        stopped.await();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    static AccessCloudSettings accessSettings(Options options, String apiKey) {
        CloudOptions access = options.cloud("access");
        AccessCloudSettings.Builder builder = AccessCloudSettings.builder(apiKey)
                .webhook(access.get("webhook-url"), access.get("webhook-secret"));
        access.given("processing-delay", SimulatorMain::parseDuration, builder::processingDelay);
        access.given("upload-url-ttl", SimulatorMain::parseDuration, builder::uploadUrlTtl);
        access.given("transient-5xx-share", Double::parseDouble, builder::transient5xxShare);
        access.given("garbled-answer-share", Double::parseDouble, builder::garbledAnswerShare);
        access.given("too-many-requests-share", Double::parseDouble, builder::tooManyRequestsShare);
        access.given("webhook-duplicate-share", Double::parseDouble, builder::webhookDuplicateShare);
        access.given("webhook-reorder", Boolean::parseBoolean, builder::webhookReorder);
        access.given("unknown-device-pattern", builder::unknownDevicePattern);
        access.given("seed", Long::parseLong, builder::randomSeed);
        return builder.build();
    }

    static NetworkCloudSettings networkSettings(Options options, String token) {
        CloudOptions network = options.cloud("network");
        NetworkCloudSettings.Builder builder = NetworkCloudSettings.builder(token);
        network.given("rate-limit", Integer::parseInt, builder::rateLimit);
        network.given("rate-window", SimulatorMain::parseDuration, builder::rateWindow);
        network.given("max-devices-per-request", Integer::parseInt, builder::maxDevicesPerRequest);
        network.given("latency", SimulatorMain::parseDuration, builder::latency);
        network.given("transient-5xx-share", Double::parseDouble, builder::transient5xxShare);
        network.given("garbled-answer-share", Double::parseDouble, builder::garbledAnswerShare);
        network.given("unknown-device-pattern", builder::unknownDevicePattern);
        network.given("unsupported-pattern", builder::unsupportedPattern);
        network.given("unknown-mac-pattern", builder::unknownMacPattern);
        network.given("unsupported-mac-pattern", builder::unsupportedMacPattern);
        network.given("groups", SimulatorMain::parseGroups, builder::knownGroups);
        network.given("seed", Long::parseLong, builder::randomSeed);
        return builder.build();
    }

    static HomeCloudSettings homeSettings(Options options, String token) {
        CloudOptions home = options.cloud("home");
        HomeCloudSettings.Builder builder = HomeCloudSettings.builder(token);
        home.given("latency", SimulatorMain::parseDuration, builder::latency);
        home.given("transient-5xx-share", Double::parseDouble, builder::transient5xxShare);
        home.given("garbled-answer-share", Double::parseDouble, builder::garbledAnswerShare);
        home.given("unknown-device-pattern", builder::unknownDevicePattern);
        home.given("unreachable-device-pattern", builder::unreachableDevicePattern);
        home.given("busy-device-pattern", builder::busyDevicePattern);
        home.given("mode-locked-device-pattern", builder::modeLockedDevicePattern);
        home.given("broken-device-pattern", builder::brokenDevicePattern);
        home.given("seed", Long::parseLong, builder::randomSeed);
        return builder.build();
    }

    /** Comma-separated group ids, trimmed, empty ones dropped, in their order. */
    private static Set<String> parseGroups(String text) {
        return new LinkedHashSet<>(Arrays.stream(text.split(","))
                .map(String::trim).filter(g -> !g.isEmpty()).toList());
    }

    /**
     * Parses {@code 250ms}, {@code 2s}, {@code 10m}, {@code 1h} or an ISO-8601 duration ({@code PT2S}).
     *
     * @param text the duration text
     * @return the duration
     */
    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("p")) {
            return Duration.parse(text.trim());
        }
        if (value.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        long amount = Long.parseLong(value.substring(0, value.length() - 1));
        return switch (value.charAt(value.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("unknown duration unit in " + text);
        };
    }

    /** Options from arguments, system properties and environment, in that order. */
    static final class Options {
        private final Map<String, String> arguments = new HashMap<>();

        Options(String[] args) {
            for (String arg : args) {
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    throw new IllegalArgumentException("expected --name=value, got an argument starting "
                            + arg.substring(0, Math.min(arg.length(), 2)));
                }
                int eq = arg.indexOf('=');
                arguments.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
        }

        /** The options of one cloud, named {@code <cloud>.<name>}. */
        CloudOptions cloud(String cloud) {
            return new CloudOptions(this, cloud);
        }

        String get(String name, String fallback) {
            String value = arguments.get(name);
            if (value == null) {
                value = System.getProperty("simulator." + name);
            }
            if (value == null) {
                value = System.getenv("SIMULATOR_" + name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_'));
            }
            return value == null || value.isEmpty() ? fallback : value;
        }
    }

    /**
     * The options of one cloud, {@code <cloud>.<name>}. A setter is only called for an option that
     * is given, so the settings builder's own default stands otherwise (the defaults listed above).
     */
    record CloudOptions(Options options, String cloud) {

        /** The option's text, {@code null} when not given. */
        String get(String name) {
            return options.get(cloud + "." + name, null);
        }

        /** Passes the option's text to {@code setter} when given. */
        void given(String name, Consumer<String> setter) {
            given(name, Function.identity(), setter);
        }

        /** Parses the option and passes it to {@code setter} when given. */
        <T> void given(String name, Function<String, T> parse, Consumer<T> setter) {
            String value = get(name);
            if (value != null) {
                setter.accept(parse.apply(value));
            }
        }
    }
}
