package org.devicebridge.fanout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.devicebridge.cloud.BackoffSchedule;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.ledger.Ledger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * The bridge's events to Camel endpoints (routes/templates/events-out.yaml): the same events as
 * the webhooks, in the same order, from the same logs. Each stream (a topic, an application's own
 * endpoint) is one more reader of the transition log, with its own cursor in
 * {@code bridge_subscriber} ({@code stream:<name>}, a name no webhook subscriber can have), so
 * nothing is added to the path of a command, an endpoint that is down loses nothing and slows no
 * batch, and the events go out at least once, in order, with stable event ids.
 * <p>
 * Each round takes the stream's next events (leased, so two instances on one ledger never both
 * send them); each is sent and the cursor moves past it; a send that fails leaves the cursor on
 * that event, skips the rest of the round and backs off ({@code bridge.retry.*}). Every event is in
 * the delivery log ({@code bridge_webhook_delivery}) under the stream's cursor.
 * <p>
 * The sends of a round are recorded together, in one transaction, when the round ends (or an event
 * of it fails, or half its lease is gone and the lease is extended), the lease let go in the same
 * statement: a stream costs the ledger two commits per round (its lease, its record), not two per
 * event. A bridge that dies mid-round sends that round's events again (at least once; the event ids
 * stay the same).
 */
public class EventStreams {

    /** Exchange property: the {@link Delivery} being sent. */
    public static final String DELIVERY = "bridge.eventDelivery";
    /** Exchange property: true when {@link #prepare} made the event ready to send. */
    public static final String READY = "eventReady";
    /** JMS properties of each event, for selectors: its type, id and request. */
    public static final String EVENT_TYPE = "BridgeEventType";
    public static final String EVENT_ID = "BridgeEventId";
    public static final String REQUEST_ID = "BridgeRequestId";

    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
    private static final int MAX_ERROR = 2000;   // bridge_webhook_delivery.last_error
    private static final Pattern STREAM_NAME = Pattern.compile("[A-Za-z0-9._-]{1,90}");

    private final SubscriberLedger webhooks;
    private final OutboundEvents events;
    private final Ledger ledger;
    private final BackoffSchedule backoff;
    private final Redactor redactor;
    private final ObjectMapper mapper;
    private final int batchSize;
    private final Duration lease;
    private final Instant startedAt;
    private final Set<String> registered = ConcurrentHashMap.newKeySet(); // cursors known to exist
    /** The rounds this bridge is sending, by lease token. */
    private final java.util.Map<String, Round> rounds = new ConcurrentHashMap<>();
    /** Streams sent only while something takes their events, by cursor: whether something does now. */
    private final java.util.Map<String, BooleanSupplier> audiences = new ConcurrentHashMap<>();
    /** The events passed over (nothing listening), by cursor. */
    private final java.util.Map<String, LongAdder> passedOver = new ConcurrentHashMap<>();
    /** When each cursor was last passed over. */
    private final java.util.Map<String, Instant> lastPassOver = new ConcurrentHashMap<>();
    /**
     * The cursors whose last look found nothing listening, each with the newest events then: those nobody was
     * there for.
     */
    private final java.util.Map<String, SubscriberLedger.Head> unheardUpTo = new ConcurrentHashMap<>();
    /** The most events one pass-over moves past. */
    static final int PASS_OVER_LIMIT = 5_000;
    /**
     * How often a cursor nothing listens to is moved (a write, and on H2 a commit, each time): it need not stand
     * at the newest event until something subscribes, and then it is moved at once.
     */
    static final Duration PASS_OVER_EVERY = Duration.ofSeconds(5);

    /**
     * A round being sent (by one route thread): its events, read when it was leased; those sent and not
     * yet recorded; whether one failed; its lease.
     */
    private static final class Round {
        final java.util.Map<String, ObjectNode> events;
        final List<Delivery> sent = new java.util.ArrayList<>();
        boolean failed;
        Instant leasedUntil;

        Round(java.util.Map<String, ObjectNode> events, Instant leasedUntil) {
            this.events = events;
            this.leasedUntil = leasedUntil;
        }
    }

    /**
     * @param batchSize at most this many events per round
     * @param lease     how long a round holds a stream's cursor between two events (must exceed a send's timeout)
     * @param startedAt when this bridge started: a stream new to the ledger begins with the events from then on
     */
    public EventStreams(SubscriberLedger webhooks, OutboundEvents events, Ledger ledger, BackoffSchedule backoff,
                        Redactor redactor, ObjectMapper mapper, int batchSize, Duration lease, Instant startedAt) {
        this.webhooks = webhooks;
        this.events = events;
        this.ledger = ledger;
        this.backoff = backoff;
        this.redactor = redactor;
        this.mapper = mapper;
        this.batchSize = batchSize;
        this.lease = lease;
        this.startedAt = startedAt;
    }

    /** The stream's cursor in {@code bridge_subscriber}. */
    static String cursor(String stream) {
        if (stream == null || !STREAM_NAME.matcher(stream).matches()) {
            throw new IllegalArgumentException("stream: must be 1 to 90 letters, digits, '.', '-' or '_', not '" + stream + "'");
        }
        return "stream:" + stream;
    }

    /** Moves the cursor past its next events, at most {@link #PASS_OVER_LIMIT} and none after {@code upTo}, nothing sent; counted. */
    private int passOver(String name, Instant now, SubscriberLedger.Head upTo) {
        int n = SubscriberFanout.passOver(webhooks, name, now, PASS_OVER_LIMIT, upTo);
        passedOver.computeIfAbsent(name, k -> new LongAdder()).add(n);
        return n;
    }

    /**
     * The stream's events are made and sent only while {@code listening} says something would take them (the
     * embedded broker's topic has a subscription); while nothing would, its cursor passes over them, as the broker
     * drops a message nobody is subscribed for. Set before the stream's route starts.
     */
    public void sendOnlyWhileListened(String stream, BooleanSupplier listening) {
        audiences.put(cursor(stream), listening);
    }

    /** How many of the stream's events this bridge passed over because nothing listened. */
    public long passedOver(String stream) {
        LongAdder n = passedOver.get(cursor(stream));
        return n == null ? 0 : n.sum();
    }

    /**
     * The stream's next events, in order, leased to this round; null when there is nothing to send
     * now. A stream new to the ledger starts with the events since this bridge started (those of
     * the batches taken in before its first round included), not with the whole history.
     */
    public DeliveryRound due(String stream) {
        String name = cursor(stream);
        Instant now = ledger.now();
        if (!registered.contains(name)) {
            webhooks.register(name, "stream " + stream, startedAt, now);
            registered.add(name);
        }
        if (nothingListens(stream, name, now)) {
            return null;
        }
        rounds.values().removeIf(r -> r.leasedUntil.isBefore(now)); // rounds never released (their events go again)
        List<DeliveryRound> leased = SubscriberFanout.leaseRounds(webhooks, List.of(name), now, lease, batchSize);
        if (leased.isEmpty()) {
            return null;
        }
        DeliveryRound round = leased.get(0);
        rounds.put(round.leaseToken(), new Round(events.ofAll(round.deliveries(), webhooks), now.plus(lease)));
        return round;
    }

    /**
     * For a stream sent only while something listens ({@link #sendOnlyWhileListened}): whether nothing does now.
     * Its cursor then passes over the events, at most every {@link #PASS_OVER_EVERY}. The first look that finds
     * something listening again first moves the cursor past what the last look without a listener saw.
     */
    private boolean nothingListens(String stream, String name, Instant now) {
        BooleanSupplier audience = audiences.get(name);
        if (audience == null) {
            return false;
        }
        SubscriberLedger.Head newest = null;
        boolean listening = audience.getAsBoolean();
        if (!listening) {
            // read, then asked again: when nothing listens still, nothing did while these were written
            newest = webhooks.newest();
            listening = audience.getAsBoolean();
        }
        if (!listening) {
            if (unheardUpTo.put(name, newest) == null) {
                LOG.info("{}: nothing subscribed; its events are passed over, not made and sent, until something subscribes", stream);
            }
            Instant last = lastPassOver.get(name);
            if (last == null || !now.isBefore(last.plus(PASS_OVER_EVERY))) {
                passOver(name, now, newest);
                lastPassOver.put(name, now);
            }
            return true;
        }
        SubscriberLedger.Head upTo = unheardUpTo.remove(name);
        if (upTo != null) {
            while (passOver(name, now, upTo) > 0) {
                // up to the newest event of the last look that found nothing listening
            }
            LOG.info("{}: subscribed to; its events are sent from here on", stream);
        }
        return false;
    }

    /**
     * The event as the message to send (JSON text, with {@value #EVENT_TYPE}, {@value #EVENT_ID}
     * and {@value #REQUEST_ID}), if it is still the stream's next one; else (an earlier one of the
     * round failed, or the lease was lost) {@link #READY} is false and nothing is sent.
     */
    public void prepare(Exchange exchange) throws JsonProcessingException {
        Delivery d = exchange.getIn().getBody(Delivery.class);
        exchange.setProperty(DELIVERY, d);
        exchange.setProperty(READY, false);
        Instant now = ledger.now();
        Round round = rounds.get(d.leaseToken());
        if (round == null) {
            if (!webhooks.stillNext(d, now, now.plus(lease))) {
                return;
            }
        } else if (round.failed) {
            return; // an earlier event of the round failed: the cursor stays on it
        } else if (!now.isBefore(round.leasedUntil.minus(lease.dividedBy(2)))) {
            record(round, now, false); // half the lease gone: what was sent is recorded and the lease extended
            if (!webhooks.stillNext(d, now, now.plus(lease))) {
                round.failed = true;
                return;
            }
            round.leasedUntil = now.plus(lease);
        }
        ObjectNode read = round == null ? null : round.events.remove(d.eventId());
        Optional<ObjectNode> event = read != null ? Optional.of(read) : events.of(d, webhooks);
        if (event.isEmpty()) {
            LOG.warn("event {}: what it announces is no longer in the ledger; skipped", d.eventId());
            sent(d, now);
            return;
        }
        Message in = exchange.getIn();
        in.removeHeaders("*");
        in.setHeader(EVENT_TYPE, d.eventType());
        in.setHeader(EVENT_ID, d.eventId());
        String requestId = event.get().path("data").path("request_id").asText(null);
        if (requestId != null) {
            in.setHeader(REQUEST_ID, requestId);
        }
        in.setBody(mapper.writeValueAsString(event.get()));
        exchange.setProperty(READY, true);
    }

    /** The endpoint has the event: the cursor moves past it. */
    public void sent(Exchange exchange) {
        sent(exchange.getProperty(DELIVERY, Delivery.class), ledger.now());
    }

    private void sent(Delivery d, Instant now) {
        Round round = rounds.get(d.leaseToken());
        if (round == null) {
            webhooks.delivered(d, null, now);
        } else {
            round.sent.add(d); // recorded with the round's others (record)
        }
    }

    /**
     * The round's events sent so far: in the delivery log, and the cursor past them, in one transaction;
     * with {@code endRound} the lease goes in it too.
     *
     * @return whether there was anything to record
     */
    private boolean record(Round round, Instant now, boolean endRound) {
        if (round.sent.isEmpty()) {
            return false;
        }
        webhooks.deliveredAll(round.sent, now, endRound);
        round.sent.clear();
        return true;
    }

    /** The send failed: the cursor stays on the event, and the stream is tried again after a backoff. */
    public void failed(Exchange exchange) {
        Delivery d = exchange.getProperty(DELIVERY, Delivery.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String error = redactor.text(e == null ? "send failed" : e.getClass().getSimpleName() + ": " + e.getMessage());
        error = error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR - 1) + "…";
        Instant now = ledger.now();
        Round round = rounds.get(d.leaseToken());
        if (round != null) {
            record(round, now, false); // the events before it did go out
            round.failed = true;
        }
        int attempts = webhooks.failed(d, null, error, now, n -> now.plus(backoff.retryDelay(n, null)));
        if (attempts == 1) {
            LOG.warn("{}: event {} not sent ({}); retrying with backoff, later events wait for it", d.subscriber(), d.eventId(), error);
        } else {
            LOG.debug("{}: event {} attempt {} failed ({})", d.subscriber(), d.eventId(), attempts, error);
        }
    }

    /** Ends a round: the cursor is free for the next one (one commit with the round's sends, when there are any). */
    public void release(DeliveryRound round) {
        Round sending = rounds.remove(round.leaseToken());
        if (sending == null || !record(sending, ledger.now(), true)) {
            webhooks.release(round.subscriber(), round.leaseToken());
        }
    }
}
