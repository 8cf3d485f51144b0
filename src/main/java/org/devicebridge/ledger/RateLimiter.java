package org.devicebridge.ledger;

import org.springframework.dao.DuplicateKeyException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * A sliding-window rate limit kept in the ledger ("at most N calls in any window"), shared by every
 * trigger and every bridge instance on the same database. Taking a slot locks the budget's row, so
 * two instances never both take the last slot. Work that finds no slot stays in the ledger; no
 * thread waits for it.
 */
public class RateLimiter {

    private final Ledger ledger;

    public RateLimiter(Ledger ledger) {
        this.ledger = ledger;
    }

    /**
     * Runs {@code claim} (which picks the work for one call) only if fewer than {@code limit} calls
     * were made in the last {@code window}, and takes the slot only if it picked something. Both
     * happen under the budget's row lock in one transaction: two pollers or two instances never
     * take the last slot twice, nor split one chunk between them.
     *
     * @return what {@code claim} picked; empty when there was no slot or no work
     */
    public <T> List<T> claimWithSlot(String name, int limit, Duration window, Supplier<List<T>> claim) {
        ensureBudget(name);
        List<T> claimed = ledger.tx().execute(status -> {
            var jdbc = ledger.jdbc();
            jdbc.queryForList("SELECT name FROM bridge_rate_limit WHERE name = ? FOR UPDATE", String.class, name);
            Instant now = ledger.now();
            Instant from = now.minus(window);
            jdbc.update("DELETE FROM bridge_rate_slot WHERE name = ? AND at <= ?", name, Ledger.ts(from.minus(window)));
            Integer used = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_rate_slot WHERE name = ? AND at > ?", Integer.class,
                    name, Ledger.ts(from));
            if (used != null && used >= limit) {
                return List.<T>of();
            }
            List<T> work = claim.get();
            if (!work.isEmpty()) {
                jdbc.update("INSERT INTO bridge_rate_slot (name, at) VALUES (?, ?)", name, Ledger.ts(now));
            }
            return work;
        });
        return claimed == null ? List.of() : claimed;
    }

    /** Calls made in the last {@code window} (for metrics and the dry-run plan). */
    public int used(String name, Duration window) {
        Integer n = ledger.jdbc().queryForObject("SELECT COUNT(*) FROM bridge_rate_slot WHERE name = ? AND at > ?", Integer.class,
                name, Ledger.ts(ledger.now().minus(window)));
        return n == null ? 0 : n;
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
