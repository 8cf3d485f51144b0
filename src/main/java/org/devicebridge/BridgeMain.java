package org.devicebridge;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import java.util.HashMap;
import java.util.Map;

/**
 * Command line of the bridge.
 * <pre>
 *   java [-Dbridge.key=value ...] -jar target/device-action-bridge.jar [--once] [--config FILE] [-Dbridge.key=value ...]
 * </pre>
 * Without {@code --once} it runs until stopped (Ctrl-C, SIGTERM). With {@code --once} it takes what
 * is in the inbox, waits until every action is final, prints the summary and exits 0 (all
 * succeeded), 1 (any failed or timed out) or 2 (bad configuration).
 */
public final class BridgeMain {

    private BridgeMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Map<String, String> overrides = new HashMap<>();
        String config = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--once" -> overrides.put("bridge.once", "true");
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
                    int eq = args[i].indexOf('=');
                    if (!args[i].startsWith("-D") || eq < 3) {
                        return usage("unknown argument " + args[i]);
                    }
                    overrides.put(args[i].substring(2, eq), args[i].substring(eq + 1));
                }
            }
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
        System.err.println("usage: java -jar device-action-bridge.jar [--once] [--config FILE] [-Dkey=value ...] (see README.md)");
        return problem == null ? 0 : OnceMode.BAD_CONFIGURATION;
    }
}
