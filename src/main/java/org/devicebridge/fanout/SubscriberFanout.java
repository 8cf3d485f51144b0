package org.devicebridge.fanout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.devicebridge.cloud.BackoffSchedule;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.CloudResponse;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.cloud.WebhookSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Webhooks out, driven from the ledger (routes/fanout.yaml). Every state change is already a row
 * of the append-only {@code bridge_transition}; each subscriber reads it with its own cursor
 * ({@code bridge_subscriber}), so nothing is added to the path of a command, a subscriber that is
 * down misses nothing, and one that is slow holds up no other.
 * <p>
 * Each tick, {@link #due} leases every subscriber whose next attempt is due and that has news,
 * with its next events in order (at most {@code batchSize}). They are sent one at a time: a 2xx
 * moves the cursor past the event; anything else (or no answer) leaves the cursor where it is and
 * sets the subscriber's next attempt by {@link BackoffSchedule#retryDelay}, and the rest of the
 * round is not sent. So every event is delivered at least once, in the order of the log, and
 * each attempt is in the delivery log ({@code bridge_webhook_delivery}). Event ids are fixed
 * ({@code transition-<id>}, {@code summary-<request id>}) so a receiver can drop repeats.
 */
public class SubscriberFanout {

    /** Exchange property: the {@link Delivery} being sent. */
    public static final String DELIVERY = "bridge.webhookDelivery";
    /** Exchange property: true when {@link #prepare} made the request ready to send. */
    public static final String READY = "webhookReady";

    private static final Logger LOG = LoggerFactory.getLogger(SubscriberFanout.class);

    private final Subscribers subscribers;
    private final SubscriberLedger webhooks;
    private final OutboundEvents events;
    private final Ledger ledger;
    private final CloudCall call;
    private final BackoffSchedule backoff;
    private final Redactor redactor;
    private final ObjectMapper mapper;
    private final int batchSize;
    private final Duration lease;

    /**
     * @param batchSize at most this many events per subscriber per round
     * @param lease     how long a round holds its subscriber between two events (must exceed the HTTP timeouts)
     */
    public SubscriberFanout(Subscribers subscribers, SubscriberLedger webhooks, OutboundEvents events, Ledger ledger, CloudCall call,
                         BackoffSchedule backoff, Redactor redactor, ObjectMapper mapper, int batchSize, Duration lease) {
        this.subscribers = subscribers;
        this.webhooks = webhooks;
        this.events = events;
        this.ledger = ledger;
        this.call = call;
        this.backoff = backoff;
        this.redactor = redactor;
        this.mapper = mapper;
        this.batchSize = batchSize;
        this.lease = lease;
    }

    /** One round per subscriber that is due and has something new, each leased to it, with its next events in order. */
    public List<DeliveryRound> due() {
        if (subscribers.isEmpty()) {
            return List.of();
        }
        return leaseRounds(webhooks, subscribers.names(), ledger.now(), lease, batchSize);
    }

    /**
     * The rounds of the named cursors (webhook subscribers, or event streams: {@link EventStreams})
     * that are due and have news, each leased to its round, with its next events in order.
     */
    static List<DeliveryRound> leaseRounds(SubscriberLedger webhooks, List<String> names, Instant now, Duration lease, int batchSize) {
        List<DeliveryRound> rounds = new ArrayList<>();
        for (SubscriberLedger.Cursor cursor : webhooks.due(names, now)) {
            String token = UUID.randomUUID().toString();
            List<Delivery> next = plan(webhooks, cursor, token, batchSize, now);
            if (!next.isEmpty() && webhooks.lease(cursor, token, now, now.plus(lease))) {
                rounds.add(new DeliveryRound(cursor.name(), token, next));
            }
        }
        return rounds;
    }

    /**
     * Moves the named cursor past its next events (at most {@code limit}, those a round could take now, none
     * after {@code upTo}) without sending them, unless a round holds it.
     *
     * @return how many it passed over
     */
    static int passOver(SubscriberLedger webhooks, String name, Instant now, int limit, SubscriberLedger.Head upTo) {
        for (SubscriberLedger.Cursor cursor : webhooks.due(List.of(name), now)) {
            List<Delivery> next = plan(webhooks, cursor, null, limit, now).stream()
                    .takeWhile(d -> d.nextTransition() <= upTo.transition() && d.nextFinished() <= upTo.finished()).toList();
            if (!next.isEmpty()) {
                Delivery last = next.get(next.size() - 1);
                return webhooks.passedOver(cursor, last.nextTransition(), last.nextFinished(), now) ? next.size() : 0;
            }
        }
        return 0;
    }

    /**
     * The cursor's next events: the transitions after it, each request's summary as soon as the
     * last transition of that request is among those delivered.
     */
    private static List<Delivery> plan(SubscriberLedger webhooks, SubscriberLedger.Cursor cursor, String token, int batchSize,
                                       Instant now) {
        List<Long> transitions = webhooks.transitionsAfter(cursor.lastTransitionId(), batchSize, now);
        List<SubscriberLedger.FinishedRow> finished = webhooks.finishedAfter(cursor.lastFinishedId(), batchSize, now);
        long afterTransition = cursor.lastTransitionId();
        long afterFinished = cursor.lastFinishedId();
        int t = 0;
        int f = 0;
        List<Delivery> plan = new ArrayList<>();
        while (plan.size() < batchSize) {
            if (f < finished.size() && finished.get(f).lastTransitionId() <= afterTransition) {
                SubscriberLedger.FinishedRow request = finished.get(f++);
                plan.add(new Delivery(cursor.name(), token, afterTransition, afterFinished, 0, request.id(), request.requestId()));
                afterFinished = request.id();
            } else if (t < transitions.size()) {
                long transition = transitions.get(t++);
                plan.add(new Delivery(cursor.name(), token, afterTransition, afterFinished, transition, 0, null));
                afterTransition = transition;
            } else {
                break;
            }
        }
        return plan;
    }

    /**
     * Makes the signed POST of one event ({@code X-Signature: sha256=<hex>} with the subscriber's
     * secret), if it is still the subscriber's next one; else (an earlier one of the round failed,
     * or the lease was lost) sets {@link #READY} false and nothing is sent.
     */
    public void prepare(Exchange exchange) throws JsonProcessingException {
        Delivery d = exchange.getIn().getBody(Delivery.class);
        exchange.setProperty(DELIVERY, d);
        exchange.setProperty(READY, false);
        Optional<Subscriber> subscriber = subscribers.named(d.subscriber());
        Instant now = ledger.now();
        if (subscriber.isEmpty() || !webhooks.stillNext(d, now, now.plus(lease))) {
            return;
        }
        Optional<ObjectNode> event = events.of(d, webhooks);
        if (event.isEmpty()) {
            LOG.warn("webhook {} to {}: what it announces is no longer in the ledger; skipped", d.eventId(), d.subscriber());
            webhooks.delivered(d, null, now);
            return;
        }
        byte[] body = mapper.writeValueAsBytes(event.get());
        call.prepare(exchange, "POST", subscriber.get().url(), null, null);
        Message in = exchange.getIn();
        in.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        in.setHeader(WebhookSignature.HEADER, subscriber.get().signature().sign(body));
        in.setHeader("X-Event-ID", d.eventId());
        in.setBody(body);
        exchange.setProperty(READY, true);
    }

    /** Records the answer: 2xx moves the cursor on; anything else, or no answer, schedules a retry with backoff. */
    public void record(Exchange exchange) {
        Delivery d = exchange.getProperty(DELIVERY, Delivery.class);
        CloudResponse r = call.read(exchange);
        Instant now = ledger.now();
        if (r.ok()) {
            webhooks.delivered(d, r.status(), now);
            LOG.debug("webhook {} delivered to {} ({})", d.eventId(), d.subscriber(), r.describe());
            return;
        }
        String error = redactor.text(r.describe());
        Duration[] delay = new Duration[1];
        int attempts = webhooks.failed(d, r.status(), error, now, n -> {
            delay[0] = backoff.retryDelay(n, r.retryAfter());
            return now.plus(delay[0]);
        });
        if (attempts == 1) {
            LOG.warn("webhook subscriber {}: event {} not delivered ({}); retrying with backoff, later events wait for it",
                    d.subscriber(), d.eventId(), error);
        } else {
            LOG.debug("webhook subscriber {}: event {} attempt {} failed ({}); next in {} ms", d.subscriber(), d.eventId(), attempts,
                    error, delay[0] == null ? 0 : delay[0].toMillis());
        }
    }

    /** Ends a round: the subscriber is free for the next tick. */
    public void release(DeliveryRound round) {
        webhooks.release(round.subscriber(), round.leaseToken());
    }

    // ---------------------------------------------------------------- for the API and operators

    /** The delivery log of one subscriber, newest first (also in table {@code bridge_webhook_delivery}). */
    public List<DeliveryRecord> deliveries(String subscriber, int limit) {
        return webhooks.deliveries(subscriber, limit);
    }

    /** Where each configured subscriber stands (also in table {@code bridge_subscriber}). */
    public List<SubscriberStatus> subscribers() {
        return webhooks.subscribers(subscribers.names());
    }

    /** Sends nothing to the subscriber until {@code until}; {@code null} resumes it. Nothing is lost meanwhile. */
    public boolean pause(String subscriber, Instant until) {
        return webhooks.pause(subscriber, until);
    }
}
