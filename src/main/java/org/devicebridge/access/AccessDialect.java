package org.devicebridge.access;

import org.apache.camel.Exchange;
import org.devicebridge.cloud.CloudResponse;
import org.devicebridge.ledger.CommandRecord;

import java.util.List;
import java.util.Optional;

/**
 * How the bridge speaks to one access cloud ({@code bridge.access.dialect}): it builds each
 * request of the two-step action and reads each answer back into the few things the
 * {@link AccessCloudAdapter} records. The adapter keeps everything else, once for every dialect:
 * the ledger, the state machine, deadlines, retries with backoff, lost-answer recovery and the
 * upload to the pre-authorised URL (the same {@code PUT} in every dialect).
 * <p>
 * A new step of the flow (a read-back of the device's data after {@code RESOLVED}, say) is one more
 * pair of {@code prepare}/{@code read} methods here, and one implementation per dialect.
 */
public interface AccessDialect {

    /** The dialect's name, as {@code bridge.access.dialect} spells it. */
    String name();

    /** Prepares the call that makes a new action and its upload URL. */
    void prepareCreate(Exchange exchange, CommandRecord c);

    /** The action the create made, from a {@code 2xx} answer. */
    Reading<ActionView> readCreated(CloudResponse r);

    /**
     * Whether a create whose answer was lost can be looked up: when it cannot, the adapter makes
     * another one (safe only where an action nobody uploads to changes nothing on the device).
     */
    boolean findsLostCreates();

    /** Prepares the look-up of the device's actions awaiting data, made since shortly before the lost create. */
    void prepareFind(Exchange exchange, CommandRecord c);

    /** The actions found, newest first, from a {@code 2xx} answer. */
    Reading<List<ActionView>> readFound(CloudResponse r);

    /** Prepares the status call of the command's action. */
    void preparePoll(Exchange exchange, CommandRecord c);

    /** The action's status, from a {@code 2xx} answer. */
    Reading<ActionView> readPolled(CloudResponse r);

    /**
     * Whether the dialect can read back what a device holds (its credentials and schedules as
     * applied), to confirm a RESOLVED action on the device itself ({@code bridge.access.read-back}).
     */
    default boolean readsBack() {
        return false;
    }

    /** Prepares the read-back of what the command's device holds; only for a dialect that {@link #readsBack()}. */
    default void prepareReadBack(Exchange exchange, CommandRecord c) {
        throw new UnsupportedOperationException("the " + name() + " dialect cannot read back a device's data");
    }

    /**
     * The answer of the call prepared by this dialect, in the HTTP terms the adapter reads: a
     * dialect whose errors come in the body (GraphQL) gives them the status they mean.
     */
    CloudResponse read(Exchange exchange);

    /**
     * After a call: whether it is to be made once more because its credential was refused and has
     * been renewed (re-prepared on the exchange). Called by the route once per call.
     */
    boolean renewAndRepeat(Exchange exchange);

    /** A webhook event's id, the key the route de-duplicates deliveries by. */
    String eventId(String body);

    /** What a webhook event says about an action, or empty for events that concern no action's status. */
    Optional<ActionView> webhookUpdate(String body);

    /**
     * An action as a dialect reads it; fields the answer did not hold are null.
     *
     * @param id                 the cloud's action id
     * @param status             the cloud's status ({@code AWAITING_DATA}, {@code PENDING}, {@code RESOLVED}, {@code REJECTED})
     * @param uploadUrl          the pre-authorised upload URL, while awaiting data
     * @param uploadUrlExpiresAt when the upload URL expires, as the cloud wrote it
     * @param reason             why the cloud rejected the action
     */
    record ActionView(String id, String status, String uploadUrl, String uploadUrlExpiresAt, String reason) {
    }

    /**
     * A {@code 2xx} answer as read: its value, or why it could not be read (cut short, garbled, or
     * without what the call answers); that answer was lost, not refused.
     */
    record Reading<T>(T value, String unreadable) {

        public static <T> Reading<T> of(T value) {
            return new Reading<>(value, null);
        }

        public static <T> Reading<T> unreadable(String why) {
            return new Reading<>(null, why);
        }

        public boolean readable() {
            return unreadable == null;
        }
    }
}
