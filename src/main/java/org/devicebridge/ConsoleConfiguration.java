package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelConfiguration;
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

import static org.apache.camel.support.CamelContextHelper.mandatoryLookup;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Wires the operator console (routes/console.yaml, docs/console.md): its sessions, let in at the
 * API's door beside the operator token, and its endpoints. A configuration class of its own: it
 * takes the ledger's beans, the API's gate and the network adapter from the registry, where
 * {@link BridgeConfiguration} bound them before running it.
 */
final class ConsoleConfiguration implements CamelConfiguration {

    static final String IDLE_TIMEOUT = "bridge.console.session-idle-timeout";
    static final String SECURE_COOKIE = "bridge.console.secure-cookie";

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        DataSource dataSource = mandatoryLookup(context, "ledgerDataSource", DataSource.class);
        Ledger ledger = mandatoryLookup(context, "ledger", Ledger.class);
        LedgerReads reads = mandatoryLookup(context, "ledgerReads", LedgerReads.class);
        CommandStore commandStore = mandatoryLookup(context, "commandStore", CommandStore.class);
        CallLog callLog = mandatoryLookup(context, "callLog", CallLog.class);
        LedgerTransitions transitions = mandatoryLookup(context, "transitions", LedgerTransitions.class);
        NetworkCloudAdapter network = mandatoryLookup(context, "networkCloud", NetworkCloudAdapter.class);
        CloudEndpoints clouds = mandatoryLookup(context, "cloudEndpoints", CloudEndpoints.class);
        ApiGate gate = mandatoryLookup(context, "apiGate", ApiGate.class);
        Redactor redactor = mandatoryLookup(context, "redactor", Redactor.class);
        ObjectMapper mapper = mandatoryLookup(context, "jsonMapper", ObjectMapper.class);
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
