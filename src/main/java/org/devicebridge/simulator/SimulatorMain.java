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
import java.util.concurrent.CountDownLatch;

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
 *       {@code access.webhook-duplicate-share} (0..1), {@code access.webhook-reorder} (true/false),
 *       {@code access.unknown-device-pattern}, {@code access.seed};</li>
 *   <li>network cloud, mounted when {@code network.token} is given: {@code network.rate-limit}
 *       (default 10), {@code network.rate-window} (default {@code 1m}),
 *       {@code network.max-devices-per-request} (100), {@code network.latency},
 *       {@code network.transient-5xx-share}, {@code network.unknown-device-pattern},
 *       {@code network.unsupported-pattern}, {@code network.unknown-mac-pattern},
 *       {@code network.unsupported-mac-pattern}, {@code network.groups} (comma-separated known
 *       group ids, default {@code default}), {@code network.seed};</li>
 *   <li>home cloud, mounted when {@code home.token} is given: {@code home.latency},
 *       {@code home.transient-5xx-share}, {@code home.unknown-device-pattern},
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
        AccessCloudSettings.Builder builder = AccessCloudSettings.builder(apiKey)
                .processingDelay(parseDuration(options.get("access.processing-delay", "2s")))
                .uploadUrlTtl(parseDuration(options.get("access.upload-url-ttl", "10m")))
                .transient5xxShare(Double.parseDouble(options.get("access.transient-5xx-share", "0")))
                .tooManyRequestsShare(Double.parseDouble(options.get("access.too-many-requests-share", "0")))
                .webhook(options.get("access.webhook-url", null), options.get("access.webhook-secret", null))
                .webhookDuplicateShare(Double.parseDouble(options.get("access.webhook-duplicate-share", "0")))
                .webhookReorder(Boolean.parseBoolean(options.get("access.webhook-reorder", "false")))
                .unknownDevicePattern(options.get("access.unknown-device-pattern",
                        AccessCloudSettings.DEFAULT_UNKNOWN_DEVICE_PATTERN))
                .randomSeed(Long.parseLong(options.get("access.seed", "1")));
        return builder.build();
    }

    static NetworkCloudSettings networkSettings(Options options, String token) {
        NetworkCloudSettings.Builder builder = NetworkCloudSettings.builder(token)
                .rateLimit(Integer.parseInt(options.get("network.rate-limit",
                                Integer.toString(NetworkCloudSettings.DEFAULT_RATE_LIMIT))),
                        parseDuration(options.get("network.rate-window", "1m")))
                .maxDevicesPerRequest(Integer.parseInt(options.get("network.max-devices-per-request",
                        Integer.toString(NetworkCloudSettings.DEFAULT_MAX_DEVICES_PER_REQUEST))))
                .latency(parseDuration(options.get("network.latency", "0ms")))
                .transient5xxShare(Double.parseDouble(options.get("network.transient-5xx-share", "0")))
                .unknownDevicePattern(options.get("network.unknown-device-pattern",
                        NetworkCloudSettings.DEFAULT_UNKNOWN_DEVICE_PATTERN))
                .unsupportedPattern(options.get("network.unsupported-pattern",
                        NetworkCloudSettings.DEFAULT_UNSUPPORTED_PATTERN))
                .unknownMacPattern(options.get("network.unknown-mac-pattern",
                        NetworkCloudSettings.DEFAULT_UNKNOWN_MAC_PATTERN))
                .unsupportedMacPattern(options.get("network.unsupported-mac-pattern",
                        NetworkCloudSettings.DEFAULT_UNSUPPORTED_MAC_PATTERN))
                .knownGroups(new LinkedHashSet<>(Arrays.stream(options.get("network.groups",
                                NetworkCloudSettings.DEFAULT_GROUP).split(","))
                        .map(String::trim).filter(g -> !g.isEmpty()).toList()))
                .randomSeed(Long.parseLong(options.get("network.seed", "1")));
        return builder.build();
    }

    static HomeCloudSettings homeSettings(Options options, String token) {
        HomeCloudSettings.Builder builder = HomeCloudSettings.builder(token)
                .latency(parseDuration(options.get("home.latency", "0ms")))
                .transient5xxShare(Double.parseDouble(options.get("home.transient-5xx-share", "0")))
                .unknownDevicePattern(options.get("home.unknown-device-pattern",
                        HomeCloudSettings.DEFAULT_UNKNOWN_DEVICE_PATTERN))
                .unreachableDevicePattern(options.get("home.unreachable-device-pattern",
                        HomeCloudSettings.DEFAULT_UNREACHABLE_DEVICE_PATTERN))
                .busyDevicePattern(options.get("home.busy-device-pattern",
                        HomeCloudSettings.DEFAULT_BUSY_DEVICE_PATTERN))
                .modeLockedDevicePattern(options.get("home.mode-locked-device-pattern",
                        HomeCloudSettings.DEFAULT_MODE_LOCKED_DEVICE_PATTERN))
                .brokenDevicePattern(options.get("home.broken-device-pattern",
                        HomeCloudSettings.DEFAULT_BROKEN_DEVICE_PATTERN))
                .randomSeed(Long.parseLong(options.get("home.seed", "1")));
        return builder.build();
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
}
