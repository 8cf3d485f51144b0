package org.devicebridge;

/**
 * The management port shows detailed health (each cloud's last error, the ledger) and metrics
 * (backlogs, call counts): it listens on loopback ({@code bridge.management.host}) unless the user
 * opens it deliberately with {@code bridge.management.open=true}.
 */
final class ManagementExposure {

    static final String HOST = "bridge.management.host";
    static final String OPEN = "bridge.management.open";

    private ManagementExposure() {
    }

    static void check(Settings settings) {
        String host = settings.required(HOST);
        if (!loopback(host) && !settings.bool(OPEN, false)) {
            throw new BadConfigurationException(HOST, "is '" + host + "', not a loopback address: the management port would show "
                    + "detailed health and metrics to whoever reaches it; set " + OPEN + "=true to expose them deliberately "
                    + "(docs/running-for-real.md)");
        }
    }

    static boolean loopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }
}
