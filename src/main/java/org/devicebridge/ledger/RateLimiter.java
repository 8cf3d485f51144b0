package org.devicebridge.ledger;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.support.GeneratedKeyHolder;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * A sliding-window rate limit kept in the ledger ("at most N calls in any window"), shared by every
 * trigger and every bridge instance on the same database. Work that finds no slot stays in the
 * ledger; no thread waits for it.
 * <p>
 * A call takes its slot in two steps. {@link #reserve} claims the call's work and reserves a slot
 * in one transaction under the budget's row lock, so two instances never both take the last slot.
 * {@link #markSent}, just before the call leaves, times the slot: the window is measured from when
 * calls were really sent, however long the ledger writes between claim and call took. A reserved
 * slot counts from the moment it is reserved, whatever its age, until it is sent or its
 * reservation lapses ({@code hold}); a lapsed reservation must not be sent.
 */
public class RateLimiter {

    private final Ledger ledger;

    public RateLimiter(Ledger ledger) {
        this.ledger = ledger;
    }

    /** The work of one call and the slot reserved for it; no slot and no work when there was either no free slot or nothing to do. */
    public record Reservation<T>(Long slot, List<T> work) {

        static <T> Reservation<T> none() {
            return new Reservation<>(null, List.of());
        }

        public boolean isEmpty() {
            return work.isEmpty();
        }
    }

    /**
     * Runs {@code claim} (which picks the work for one call) only if fewer than {@code limit} calls
     * were sent in the last {@code window} or are reserved and not sent yet, and reserves a slot
     * only if it picked something. Both happen under the budget's row lock in one transaction: two
     * pollers or two instances never take the last slot twice, nor split one chunk between them.
     *
     * @param hold how long the reservation waits for {@link #markSent}; after that it lapses
     * @return what {@code claim} picked, with its slot; empty when there was no slot or no work
     */
    public <T> Reservation<T> reserve(String name, int limit, Duration window, Duration hold, Supplier<List<T>> claim) {
        ensureBudget(name);
        Reservation<T> reserved = ledger.tx().execute(status -> {
            var jdbc = ledger.jdbc();
            lock(name);
            Instant now = ledger.now();
            jdbc.update("DELETE FROM bridge_rate_slot WHERE name = ? AND ((pending_until IS NULL AND at <= ?) OR pending_until <= ?)",
                    name, Ledger.ts(now.minus(window).minus(window)), Ledger.ts(now));
            if (inUse(name, window, now) >= limit) {
                return Reservation.<T>none();
            }
            List<T> work = claim.get();
            if (work.isEmpty()) {
                return Reservation.<T>none();
            }
            GeneratedKeyHolder key = new GeneratedKeyHolder();
            jdbc.update(con -> {
                PreparedStatement ps = con.prepareStatement("INSERT INTO bridge_rate_slot (name, at, pending_until) VALUES (?, ?, ?)",
                        new String[] {"id"});
                ps.setString(1, name);
                ps.setObject(2, Ledger.ts(now));
                ps.setObject(3, Ledger.ts(now.plus(hold)));
                return ps;
            }, key);
            return new Reservation<>(key.getKeyAs(Number.class).longValue(), work);
        });
        return reserved == null ? Reservation.none() : reserved;
    }

    /**
     * The call of a reserved slot is leaving now: the slot's time becomes now, and it counts for
     * one window from here. Under the budget's row lock, so no instance counts the slots meanwhile.
     *
     * @return false when the reservation lapsed (it was held longer than its {@code hold}): the slot
     *         may have gone to another call, and this call must not be sent
     */
    public boolean markSent(String name, long slot) {
        Boolean sent = ledger.tx().execute(status -> {
            lock(name);
            Instant now = ledger.now();
            return ledger.jdbc().update("UPDATE bridge_rate_slot SET at = ?, pending_until = NULL WHERE id = ? AND name = ? "
                    + "AND pending_until > ?", Ledger.ts(now), slot, name, Ledger.ts(now)) == 1;
        });
        return Boolean.TRUE.equals(sent);
    }

    /** Calls sent in the last {@code window}, plus those reserved and not sent yet (for metrics and tests). */
    public int used(String name, Duration window) {
        return inUse(name, window, ledger.now());
    }

    private int inUse(String name, Duration window, Instant now) {
        Integer n = ledger.jdbc().queryForObject("SELECT COUNT(*) FROM bridge_rate_slot WHERE name = ? "
                        + "AND ((pending_until IS NULL AND at > ?) OR pending_until > ?)", Integer.class,
                name, Ledger.ts(now.minus(window)), Ledger.ts(now));
        return n == null ? 0 : n;
    }

    private void lock(String name) {
        ledger.jdbc().queryForList("SELECT name FROM bridge_rate_limit WHERE name = ? FOR UPDATE", String.class, name);
    }

    private void ensureBudget(String name) {
        try {
            ledger.jdbc().update("INSERT INTO bridge_rate_limit (name) SELECT ? WHERE NOT EXISTS "
                    + "(SELECT 1 FROM bridge_rate_limit WHERE name = ?)", name, name);
        } catch (DuplicateKeyException e) {
            // another instance created it at the same moment: fine
        }
    }
}
