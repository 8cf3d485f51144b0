package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.devicebridge.intake.BatchReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Command line of the bridge.
 * <pre>
 *   java [-Dbridge.key=value ...] -jar target/device-action-bridge.jar [--once] [--config FILE] [-Dbridge.key=value ...]
 *   java -jar target/device-action-bridge.jar --dry-run [FILE ...]
 *   java -jar target/device-action-bridge.jar --version
 * </pre>
 * Without {@code --once} it runs until stopped (Ctrl-C, SIGTERM). With {@code --once} it takes what
 * is in the inbox, waits until every action is final, prints the summary and exits 0 (all
 * succeeded), 1 (any failed or timed out) or 2 (bad configuration).
 */
public final class BridgeMain {

    /** How the log lines are written: text or json (log4j2.properties reads it; docs/logging.md). */
    static final String LOG_FORMAT = "bridge.log.format";
    static final String VERSION_RESOURCE = "device-bridge/version.properties";

    private BridgeMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (List.of(args).contains("--version")) {
            System.out.println("device-action-bridge " + version());
            return 0;
        }
        Map<String, String> overrides = new HashMap<>();
        List<Path> files = new ArrayList<>();
        String config = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--once" -> overrides.put("bridge.once", "true");
                case "--dry-run" -> overrides.put("bridge.dry-run", "true");
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        return usage("--config needs a file");
                    }
                    config = args[++i];
                }
                case "-h", "--help" -> {
                    usage(null);
                    return 0;
                }
                default -> {
                    if (!args[i].startsWith("-")) {
                        files.add(Path.of(args[i]));
                        continue;
                    }
                    int eq = args[i].indexOf('=');
                    if (!args[i].startsWith("-D") || eq < 3) {
                        return usage("unknown argument " + args[i]);
                    }
                    overrides.put(args[i].substring(2, eq), args[i].substring(eq + 1));
                }
            }
        }
        String logFormat = overrides.containsKey(LOG_FORMAT) ? overrides.get(LOG_FORMAT)
                : System.getProperty(LOG_FORMAT, Objects.requireNonNullElse(System.getenv("BRIDGE_LOG_FORMAT"), "text"));
        if (!List.of("text", "json").contains(logFormat.trim().toLowerCase(Locale.ROOT))) {
            return usage(LOG_FORMAT + ": text or json, not '" + logFormat + "'");
        }
        // read by log4j2.properties when the first line is logged, which is after this
        System.setProperty(LOG_FORMAT, logFormat.trim().toLowerCase(Locale.ROOT));
        if ("true".equals(overrides.get("bridge.dry-run")) || Boolean.getBoolean("bridge.dry-run")
                || "true".equalsIgnoreCase(System.getenv("BRIDGE_DRY_RUN"))) {
            return dryRun(config, overrides, files);
        }
        if (!files.isEmpty()) {
            return usage("batch files are named only with --dry-run; drop them into the inbox instead");
        }
        boolean once = "true".equals(overrides.get("bridge.once")) || Boolean.getBoolean("bridge.once")
                || "true".equalsIgnoreCase(System.getenv("BRIDGE_ONCE"));
        if (once) {
            overrides.put("bridge.once", "true");
        }
        Main main = BridgeApp.create(config, overrides);
        int[] exit = {0};
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport m) {
                if (once) {
                    OnceMode onceMode = m.getCamelContext().getRegistry().lookupByNameAndType("onceMode", OnceMode.class);
                    onceMode.exitCode().thenAccept(code -> {
                        exit[0] = code;
                        main.completed();
                    });
                }
            }
        });
        try {
            main.run();
        } catch (Exception e) {
            BadConfigurationException bad = findCause(e, BadConfigurationException.class);
            if (bad != null) {
                System.err.println("bad configuration: " + bad.getMessage());
                return OnceMode.BAD_CONFIGURATION;
            }
            System.err.println("the bridge stopped on an error: " + e);
            return OnceMode.SOME_FAILED;
        }
        if (main.getExitCode() != 0 && exit[0] == 0) {
            return OnceMode.BAD_CONFIGURATION;
        }
        return exit[0];
    }

    /** {@code --dry-run [FILE ...]}: the plan of the named batches, or of those waiting in the inbox. */
    private static int dryRun(String config, Map<String, String> overrides, List<Path> files) {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation(BridgeApp.propertyLocations(config));
            Properties props = new Properties();
            props.putAll(overrides);
            context.getPropertiesComponent().setOverrideProperties(props);
            Settings settings = new Settings(context);
            List<Path> batches = files.isEmpty() ? inboxBatches(settings) : files;
            ObjectMapper mapper = new ObjectMapper();
            CallLimits limits = CallLimits.of(settings);
            DryRun dryRun = new DryRun(IntakeRules.pipeline(settings, mapper, limits), new BatchReader(mapper), limits);
            System.out.println("batches: " + batches);
            DryRun.Plan plan = dryRun.plan(batches);
            dryRun.print(plan, System.out);
            return plan.invalid().isEmpty() ? OnceMode.ALL_SUCCEEDED : OnceMode.SOME_FAILED;
        } catch (BadConfigurationException e) {
            System.err.println("bad configuration: " + e.getMessage());
            return OnceMode.BAD_CONFIGURATION;
        } catch (IOException | RuntimeException e) {
            System.err.println("dry run failed: " + e.getMessage());
            return OnceMode.BAD_CONFIGURATION;
        }
    }

    private static List<Path> inboxBatches(Settings settings) throws IOException {
        Path inbox = Path.of(settings.required("bridge.inbox.dir"));
        Pattern include = Pattern.compile(settings.required("bridge.inbox.include"));
        if (!Files.isDirectory(inbox)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(inbox)) {
            return list.filter(Files::isRegularFile).filter(p -> include.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
    }

    /** The artifact's version, as the build wrote it into {@value #VERSION_RESOURCE}. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = BridgeMain.class.getClassLoader().getResourceAsStream(VERSION_RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // answered below
        }
        return p.getProperty("version", "unknown (" + VERSION_RESOURCE + " is missing)");
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static int usage(String problem) {
        if (problem != null) {
            System.err.println(problem);
        }
        System.err.println("usage: java -jar device-action-bridge.jar [--once | --dry-run [FILE ...] | --version] [--config FILE] [-Dkey=value ...] (see docs/operations.md)");
        return problem == null ? 0 : OnceMode.BAD_CONFIGURATION;
    }
}
