package org.devicebridge.simulator;

import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.AccessCloudSimulator;

import java.time.Duration;
import java.util.HashMap;
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
 *   <li>{@code port} (default 0 = random), {@code access.api-key} (required),</li>
 *   <li>{@code access.webhook-url}, {@code access.webhook-secret},</li>
 *   <li>{@code access.processing-delay}, {@code access.upload-url-ttl} (e.g. {@code 2s},
 *       {@code 500ms}, {@code 10m}, {@code PT2S}),</li>
 *   <li>{@code access.transient-5xx-share}, {@code access.too-many-requests-share},
 *       {@code access.webhook-duplicate-share} (0..1), {@code access.webhook-reorder} (true/false),</li>
 *   <li>{@code access.unknown-device-pattern}, {@code access.seed}.</li>
 * </ul>
 * Example: {@code java -cp 'target/device-action-bridge.jar:target/lib/*'
 * org.devicebridge.simulator.SimulatorMain --port=8089 --access.api-key=dev-key}
 * (prefer the environment variable for the key: it stays out of the process list).
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
        if (apiKey == null || apiKey.isBlank()) {
            System.err.println("missing access.api-key (--access.api-key=..., -Dsimulator.access.api-key=... "
                    + "or SIMULATOR_ACCESS_API_KEY)");
            System.exit(2);
        }
        AccessCloudSettings settings = accessSettings(options, apiKey);
        SimulatorServer server = SimulatorServer.start(Integer.parseInt(options.get("port", "0")));
        AccessCloudSimulator access = server.addAccessCloud(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.out.println("Device cloud simulator on " + server.baseUrl());
        System.out.println("  access cloud: " + access.baseUrl() + " (" + settings + ")");
        stopped.await();
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
