package org.devicebridge;

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
 * ledger's online compaction, every {@code bridge.db.compact-interval}, and its sync to the disk,
 * every {@code bridge.db.sync-interval}).
 */
public final class LedgerHousekeepingConfiguration extends ConcernConfiguration {

    /** How long one compaction run may go on starting new passes. */
    public static final Duration COMPACTION_BUDGET = Duration.ofSeconds(1);

    @BeanInject("ledgerDataSource")
    DataSource dataSource;

    @BindToRegistry("ledgerRetention")
    public LedgerRetention ledgerRetention() {
        return new LedgerRetention(dataSource, Clock.systemUTC(), settings().duration("bridge.ledger.retention"),
                List.of(WebhookEventIds.ACCESS_CLOUD));
    }

    @BindToRegistry("ledgerCompaction")
    public LedgerCompaction ledgerCompaction() {
        return new LedgerCompaction(dataSource, COMPACTION_BUDGET);
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
