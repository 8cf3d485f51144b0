package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
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
 * {@code bridge.webhooks.*}, the {@code webhookSubscribers}, each with its URL and its own signing
 * secret, and the {@code subscriberFanout} bean; and the {@code eventStreams} bean behind the events
 * template (routes/templates/events-out.yaml).
 */
public final class FanoutConfiguration extends ConcernConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(FanoutConfiguration.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    /** Event streams: at most this many events per round, and a round's hold on its cursor between two sends. */
    private static final int EVENTS_PER_ROUND = 100;
    private static final Duration EVENTS_LEASE = Duration.ofMinutes(1);

    @BeanInject("ledgerDataSource")
    DataSource dataSource;
    @BeanInject("ledger")
    Ledger ledger;
    @BeanInject("commandStore")
    CommandStore commandStore;
    @BeanInject("ledgerReads")
    LedgerReads reads;
    @BeanInject("commandView")
    CommandView view;
    @BeanInject("cloudCall")
    CloudCall call;
    @BeanInject("backoff")
    BackoffSchedule backoff;
    @BeanInject("redactor")
    Redactor redactor;
    @BeanInject("jsonMapper")
    ObjectMapper mapper;

    /** The subscribers, each registered in the ledger (its cursor starts now). */
    @BindToRegistry("webhookSubscribers")
    public Subscribers webhookSubscribers() {
        return once("webhookSubscribers", () -> {
            Subscribers subscribers = new Subscribers(subscribers(settings(), redactor));
            for (Subscriber s : subscribers.all()) {
                webhooks().register(s.name(), redactor.url(s.url()), startedAt(), startedAt());
            }
            if (!subscribers.isEmpty()) {
                LOG.info("webhooks out: every state change is sent to {}", subscribers.names());
            }
            return subscribers;
        });
    }

    @BindToRegistry("subscriberFanout")
    public SubscriberFanout subscriberFanout() {
        Settings settings = settings();
        return new SubscriberFanout(webhookSubscribers(), webhooks(), new OutboundEvents(commandStore, reads, view, mapper), ledger, call,
                backoff, redactor, mapper, settings.integer("bridge.webhooks.batch-size", 1, 10_000), settings.duration("bridge.webhooks.lease"));
    }

    @BindToRegistry("eventStreams")
    public EventStreams eventStreams() {
        return new EventStreams(webhooks(), new OutboundEvents(commandStore, reads, view, mapper), ledger, backoff, redactor, mapper,
                EVENTS_PER_ROUND, EVENTS_LEASE, startedAt());
    }

    /** The start-up's time on the ledger's clock: where a new subscriber's or event stream's cursor starts. */
    private Instant startedAt() {
        return once("startedAt", ledger::now);
    }

    /** The cursors of the subscribers and event streams, and their delivery log. */
    private SubscriberLedger webhooks() {
        return once("webhooks", () -> new SubscriberLedger(dataSource,
                settings().duration("bridge.webhooks.gap-wait", SubscriberLedger.GAP_WAIT)));
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
