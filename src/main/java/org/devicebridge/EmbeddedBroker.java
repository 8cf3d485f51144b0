package org.devicebridge;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.postoffice.Bindings;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The bridge's own message broker, used when no external one is configured ({@code bridge.jms.url}
 * blank): an Apache ActiveMQ Artemis server inside the bridge's JVM, persistent (its journal under
 * {@code bridge.jms.data-dir}), which the bridge reaches through an in-VM connector. Other local
 * programs reach it over the core protocol on a loopback port ({@code bridge.jms.embedded-port},
 * blank: none). Security is off, which is why it listens on loopback only.
 * <p>
 * The intake queue and its dead-letter queue exist from the start (durable). A batch whose intake
 * failed (the transaction rolled back, e.g. the ledger was unreachable) is redelivered after 1 s,
 * then 2 s, 4 s ... up to a minute apart, for as long as it takes: the queue holds it until the
 * ledger takes it.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

    private final EmbeddedActiveMQ server;
    private final String inVmUrl;
    private final String tcpUrl;

    private EmbeddedBroker(EmbeddedActiveMQ server, String inVmUrl, String tcpUrl) {
        this.server = server;
        this.inVmUrl = inVmUrl;
        this.tcpUrl = tcpUrl;
    }

    /**
     * @param dataDir the journal, bindings, paging and large-message folders go below it
     * @param port    a loopback TCP port for other programs, or null for in-VM only
     */
    public static EmbeddedBroker start(Path dataDir, Integer port, String intakeQueue, String deadLetterQueue) throws Exception {
        Path dir = dataDir.toAbsolutePath().normalize();
        if (port != null) {
            requireFree(port);
        }
        // one in-VM acceptor per broker in the JVM: named after its folder (two brokers cannot share one)
        String inVmUrl = "vm://" + Math.floorMod(dir.toString().hashCode(), Integer.MAX_VALUE);
        String tcpUrl = port == null ? null : "tcp://127.0.0.1:" + port;
        Configuration config = new ConfigurationImpl()
                .setName("device-action-bridge")
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO)          // no libaio (and no O_DIRECT on tmpfs) needed
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large-messages").toString())
                .setNodeManagerLockDirectory(dir.toString())
                .setJournalLockAcquisitionTimeout(LOCK_WAIT.toMillis()) // another process on the same folder: fail, not hang
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)           // several bridges in one JVM (tests) would clash
                .setMaxDiskUsage(-1)                      // a nearly full disk must not silently block the bridge's sends
                .setGlobalMaxSize(64L * 1024 * 1024)      // messages beyond 64 MiB in memory are paged to disk, not half the heap
                .setCriticalAnalyzer(false)
                .addAcceptorConfiguration("in-vm", inVmUrl);
        if (tcpUrl != null) {
            config.addAcceptorConfiguration("loopback", tcpUrl + "?protocols=CORE");
        }
        // as Artemis's own default broker.xml: what the broker gives up on (a subscriber rolling back an event again and
        // again) or what expires, it keeps (DLA / ExpiryQueue, one queue per origin) instead of dropping it
        config.addAddressSetting("#", new AddressSettings()
                .setDeadLetterAddress(SimpleString.of("DLA"))
                .setAutoCreateDeadLetterResources(true)
                .setExpiryAddress(SimpleString.of("ExpiryQueue"))
                .setAutoCreateExpiryResources(true));
        config.addAddressSetting(intakeQueue, new AddressSettings()
                .setRedeliveryDelay(1000)
                .setRedeliveryMultiplier(2)
                .setMaxRedeliveryDelay(60_000)
                .setMaxDeliveryAttempts(-1));
        for (String queue : new String[] {intakeQueue, deadLetterQueue}) {
            config.addQueueConfiguration(QueueConfiguration.of(queue).setAddress(queue).setRoutingType(RoutingType.ANYCAST)
                    .setDurable(true));
        }
        EmbeddedActiveMQ server = new EmbeddedActiveMQ().setConfiguration(config);
        server.start();
        if (!server.getActiveMQServer().isActive()) {
            server.stop();
            throw new BadConfigurationException("bridge.jms.data-dir", "the broker's folder " + dir
                    + " is in use by another process (another bridge?); give each bridge its own, or set bridge.jms.url");
        }
        LOG.info("embedded message broker started (journal in {}){}", dir, tcpUrl == null ? "" : ", listening on " + tcpUrl);
        return new EmbeddedBroker(server, inVmUrl, tcpUrl);
    }

    /** A port another program holds would fail the broker's start with a message about its folder instead. */
    private static void requireFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new BadConfigurationException("bridge.jms.embedded-port", "port " + port + " on the loopback address is in use "
                    + "(another bridge?); choose a free one, or leave it blank: the bridge then reaches its broker in-VM only");
        }
    }

    /**
     * Whether a message sent to the address now would be kept for anyone: a queue bound to it (for a topic, a
     * subscription, durable or not). Artemis drops what is sent to an address with none. True when it cannot tell.
     */
    public boolean hasBindings(String address) {
        try {
            Bindings bindings = server.getActiveMQServer().getPostOffice().lookupBindingsForAddress(SimpleString.of(address));
            return bindings != null && !bindings.getBindings().isEmpty();
        } catch (Exception e) {
            return true;
        }
    }

    /** The broker's node id: kept in its journal folder, the same across restarts. */
    public String id() {
        return server.getActiveMQServer().getNodeID().toString();
    }

    /** How the bridge itself connects: the in-VM connector. */
    public String inVmUrl() {
        return inVmUrl;
    }

    /** How other local programs connect (core protocol), when a port was given. */
    public Optional<String> tcpUrl() {
        return Optional.ofNullable(tcpUrl);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
