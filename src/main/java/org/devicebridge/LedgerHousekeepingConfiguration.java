package org.devicebridge;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.devicebridge.inbound.WebhookEventIds;
import org.devicebridge.ledger.LedgerCompaction;
import org.devicebridge.ledger.LedgerRetention;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Wires what keeps the ledger's size in bounds (routes/engine/ledger-housekeeping.yaml): the
 * {@code ledgerRetention} bean ({@code bridge.ledger.retention}, run every
 * {@code bridge.ledger.retention-check-interval}) and the {@code ledgerCompaction} bean (an H2 file
 * ledger's online compaction, every {@code bridge.db.compact-interval}, with its copy of the whole file while
 * quiet, {@code bridge.db.compact-when-quiet-up-to-mb}, and its sync to the disk, every {@code bridge.db.sync-interval}).
 */
public final class LedgerHousekeepingConfiguration extends ConcernConfiguration {

    /** How long one compaction run may go on starting new passes. */
    public static final Duration COMPACTION_BUDGET = Duration.ofSeconds(1);

    @BeanInject("ledgerDataSource")
    DataSource dataSource;

    /** Whether the ledger's pool is the bridge's own (not an application's, whose other users must not wait on the ledger's file). */
    private final boolean ownPool;

    LedgerHousekeepingConfiguration(boolean ownPool) {
        this.ownPool = ownPool;
    }

    @BindToRegistry("ledgerRetention")
    public LedgerRetention ledgerRetention() {
        return new LedgerRetention(dataSource, Clock.systemUTC(), settings().duration("bridge.ledger.retention"),
                List.of(WebhookEventIds.ACCESS_CLOUD));
    }

    @BindToRegistry("ledgerCompaction")
    public LedgerCompaction ledgerCompaction() {
        int copyUpTo = settings().integer("bridge.db.compact-when-quiet-up-to-mb", 0, 1_000_000);
        // the bridge's own pool of an H2 file is suspendable (LedgerDatabase.open)
        HikariDataSource pool = ownPool && dataSource instanceof HikariDataSource own && own.isAllowPoolSuspension() ? own : null;
        return new LedgerCompaction(dataSource, COMPACTION_BUDGET, pool == null ? null : LedgerCompaction.QuietCopy.upTo(pool, copyUpTo));
    }

    /** The routes' scheduler delays. */
    @Override
    public void configure(CamelContext context) {
        Settings settings = settings();
        schedulerDelay(context, settings, "bridge.ledger.retention-check-interval");
        schedulerDelay(context, settings, "bridge.db.compact-interval");
        schedulerDelay(context, settings, "bridge.db.sync-interval");
    }

    /**
     * A scheduler route's delay, read like every other duration (ISO-8601 or {@code 10s}, checked,
     * named in the error) and handed to the route in milliseconds.
     */
    private static void schedulerDelay(CamelContext context, Settings settings, String key) {
        Duration delay = settings.duration(key);
        if (delay.isZero()) {
            throw new BadConfigurationException(key, "must be longer than 0");
        }
        context.getPropertiesComponent().addOverrideProperty(key, String.valueOf(delay.toMillis()));
    }
}
