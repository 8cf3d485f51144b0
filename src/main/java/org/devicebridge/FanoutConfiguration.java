package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.devicebridge.cloud.BackoffSchedule;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.fanout.EventStreams;
import org.devicebridge.fanout.Subscriber;
import org.devicebridge.fanout.OutboundEvents;
import org.devicebridge.fanout.SubscriberFanout;
import org.devicebridge.fanout.SubscriberLedger;
import org.devicebridge.fanout.Subscribers;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.results.CommandView;
import org.devicebridge.cloud.WebhookSignature;
import org.slf4j.Logger;

import static org.apache.camel.support.CamelContextHelper.mandatoryLookup;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Wires the fan-out of state changes: webhooks out (routes/engine/fanout.yaml) from
 * {@code bridge.webhooks.*}, the subscribers, each with its URL and its own signing secret, and the
 * {@code subscriberFanout} bean; and the {@code eventStreams} bean behind the events template
 * (routes/templates/events-out.yaml). A configuration class of its own: it takes the ledger's beans
 * from the registry, where {@link BridgeConfiguration} bound them before running it.
 */
public final class FanoutConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(FanoutConfiguration.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    /** Event streams: at most this many events per round, and a round's hold on its cursor between two sends. */
    private static final int EVENTS_PER_ROUND = 100;
    private static final Duration EVENTS_LEASE = Duration.ofMinutes(1);

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        DataSource dataSource = mandatoryLookup(context, "ledgerDataSource", DataSource.class);
        Ledger ledger = mandatoryLookup(context, "ledger", Ledger.class);
        CommandStore commandStore = mandatoryLookup(context, "commandStore", CommandStore.class);
        LedgerReads reads = mandatoryLookup(context, "ledgerReads", LedgerReads.class);
        CommandView view = mandatoryLookup(context, "commandView", CommandView.class);
        CloudCall call = mandatoryLookup(context, "cloudCall", CloudCall.class);
        BackoffSchedule backoff = mandatoryLookup(context, "backoff", BackoffSchedule.class);
        Redactor redactor = mandatoryLookup(context, "redactor", Redactor.class);
        ObjectMapper mapper = mandatoryLookup(context, "jsonMapper", ObjectMapper.class);
        Subscribers subscribers = new Subscribers(subscribers(settings, redactor));
        SubscriberLedger webhooks = new SubscriberLedger(dataSource);
        Instant now = ledger.now();
        for (Subscriber s : subscribers.all()) {
            webhooks.register(s.name(), redactor.url(s.url()), now, now);
        }
        if (!subscribers.isEmpty()) {
            LOG.info("webhooks out: every state change is sent to {}", subscribers.names());
        }
        SubscriberFanout fanout = new SubscriberFanout(subscribers, webhooks, new OutboundEvents(commandStore, reads, view, mapper), ledger, call, backoff,
                redactor, mapper, settings.integer("bridge.webhooks.batch-size", 1, 10_000),
                settings.duration("bridge.webhooks.lease"));
        context.getRegistry().bind("webhookSubscribers", subscribers);
        context.getRegistry().bind("subscriberFanout", fanout);
        context.getRegistry().bind("eventStreams", new EventStreams(webhooks, new OutboundEvents(commandStore, reads, view, mapper), ledger, backoff,
                redactor, mapper, EVENTS_PER_ROUND, EVENTS_LEASE, now));
    }

    /**
     * {@code bridge.webhooks.subscribers=a,b}, and for each name {@code bridge.webhooks.<name>.url}
     * (https, or http on loopback) and the secret {@code bridge.webhooks.<name>.secret} (or
     * {@code -file}), which is registered with the redactor at once.
     */
    static List<Subscriber> subscribers(Settings settings, Redactor redactor) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : settings.get("bridge.webhooks.subscribers", "").split(",")) {
            String n = name.trim();
            if (n.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(n).matches() || !names.add(n)) {
                throw new BadConfigurationException("bridge.webhooks.subscribers",
                        "must be distinct names of letters, digits, '-' and '_', not '" + n + "'");
            }
        }
        List<Subscriber> subscribers = new ArrayList<>();
        for (String name : names) {
            String urlKey = "bridge.webhooks." + name + ".url";
            String secretKey = "bridge.webhooks." + name + ".secret";
            String url = settings.required(urlKey);
            CloudEndpoints.checkTransport(urlKey, url);
            String secret = settings.secret(secretKey).orElseThrow(() -> new BadConfigurationException(secretKey,
                    "is required for subscriber " + name + " (set " + secretKey.toUpperCase().replace('.', '_').replace('-', '_')
                            + ", or " + secretKey + "-file to a file holding it)"));
            redactor.addSecret(secret);
            subscribers.add(new Subscriber(name, url, new WebhookSignature(secret)));
        }
        return subscribers;
    }
}
