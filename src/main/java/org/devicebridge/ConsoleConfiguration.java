package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
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
 * Wires the operator console (routes/console.yaml, docs/console.md): the {@code consoleApi}, and its
 * sessions ({@code bridge.console.*}), let in at the API's door beside the operator token.
 */
final class ConsoleConfiguration extends ConcernConfiguration {

    static final String IDLE_TIMEOUT = "bridge.console.session-idle-timeout";
    static final String SECURE_COOKIE = "bridge.console.secure-cookie";

    @BeanInject("ledgerDataSource")
    DataSource dataSource;
    @BeanInject("ledger")
    Ledger ledger;
    @BeanInject("ledgerReads")
    LedgerReads reads;
    @BeanInject("commandStore")
    CommandStore commandStore;
    @BeanInject("callLog")
    CallLog callLog;
    @BeanInject("transitions")
    LedgerTransitions transitions;
    @BeanInject("networkCloud")
    NetworkCloudAdapter network;
    @BeanInject("cloudEndpoints")
    CloudEndpoints clouds;
    @BeanInject("apiGate")
    ApiGate gate;
    @BeanInject("redactor")
    Redactor redactor;
    @BeanInject("jsonMapper")
    ObjectMapper mapper;

    @BindToRegistry("consoleApi")
    public ConsoleApi consoleApi() {
        Settings settings = settings();
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
        return new ConsoleApi(sessions, new ConsoleReads(ledger), reads, commandStore, callLog, transitions, new SubscriberLedger(dataSource),
                network, configured, gate, redactor, mapper);
    }
}
