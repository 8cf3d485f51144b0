package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.devicebridge.api.ApiGate;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.console.ConsoleApi;
import org.devicebridge.console.ConsoleSessions;
import org.devicebridge.fanout.SubscriberLedger;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.ConsoleReads;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.network.NetworkCloudAdapter;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Wires the operator console (routes/console.yaml, docs/console.md): its sessions, let in at the
 * API's door beside the operator token, and its endpoints. Called from {@link BridgeConfiguration}.
 */
final class ConsoleConfiguration {

    static final String IDLE_TIMEOUT = "bridge.console.session-idle-timeout";
    static final String SECURE_COOKIE = "bridge.console.secure-cookie";

    private ConsoleConfiguration() {
    }

    static void configure(CamelContext context, Settings settings, DataSource dataSource, Ledger ledger, LedgerReads reads,
                          CommandStore commandStore, CallLog callLog, LedgerTransitions transitions, NetworkCloudAdapter network,
                          CloudEndpoints clouds, ApiGate gate, Redactor redactor, ObjectMapper mapper) {
        Duration idle = settings.duration(IDLE_TIMEOUT, null);
        if (idle == null || idle.isZero()) {
            throw new BadConfigurationException(IDLE_TIMEOUT, "is required: how long an unused console session lasts, such as 8h");
        }
        settings.required(SECURE_COOKIE);
        ConsoleSessions sessions = new ConsoleSessions(idle, settings.bool(SECURE_COOKIE, false), Clock.systemUTC());
        gate.acceptSessions(sessions);
        Set<String> configured = new LinkedHashSet<>();
        if (clouds.access().configured()) {
            configured.add("access");
        }
        if (clouds.network().configured()) {
            configured.add("network");
        }
        if (clouds.home().configured()) {
            configured.add("home");
        }
        context.getRegistry().bind("consoleApi", new ConsoleApi(sessions, new ConsoleReads(ledger), reads, commandStore, callLog,
                transitions, new SubscriberLedger(dataSource), network, configured, gate, redactor, mapper));
    }
}
