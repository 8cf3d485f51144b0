package org.devicebridge;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.devicebridge.inbound.WebhookEventIds;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.DeadlineWatch;
import org.devicebridge.ledger.GroupCommit;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerCompaction;
import org.devicebridge.ledger.LedgerDatabase;
import org.devicebridge.ledger.LedgerOutageLog;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.StepTransaction;
import org.devicebridge.ledger.WorkQueue;
import org.devicebridge.network.NetworkCloudAdapter;
import org.devicebridge.results.StateChangeLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Wires the ledger: its DataSource ({@code ledgerDataSource}: the application's, migrated, or a
 * pool opened from {@code bridge.db.*} and closed with the bridge), the {@code ledger} and its parts
 * ({@code workQueue}, {@code commandStore}, {@code callLog}, {@code ledgerReads}, the state machine
 * {@code transitions}, {@code ledgerTransaction}, {@code deadlines}), the {@code ledgerOutageLog} and
 * the ids of the access cloud's webhook events already applied ({@code accessWebhookEvents}).
 */
final class LedgerConfiguration extends ConcernConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerConfiguration.class);

    /** Blank: the user's default schema. */
    @PropertyInject("bridge.db.schema")
    String schema;
    @BeanInject("cloudChoice")
    CloudChoice choice;

    private final DataSource applicationDataSource;
    private final OpenedResources opened;

    /** @param applicationDataSource the application's DataSource, or null for a pool of the bridge's own */
    LedgerConfiguration(DataSource applicationDataSource, OpenedResources opened) {
        this.applicationDataSource = applicationDataSource;
        this.opened = opened;
    }

    @BindToRegistry("ledgerDataSource")
    public DataSource ledgerDataSource() {
        return once("ledgerDataSource", () -> {
            if (applicationDataSource != null) {
                LedgerDatabase.migrate(applicationDataSource, null);
                return applicationDataSource;
            }
            Settings settings = settings();
            String url = settings.required("bridge.db.url");
            HikariDataSource pool = LedgerDatabase.open(
                    url,
                    settings.required("bridge.db.user"),
                    settings.secret("bridge.db.password").orElse(""),
                    schema.isBlank() ? null : schema.trim(),
                    settings.integer("bridge.db.pool-size", LedgerDatabase.defaultPoolSize(url), 1, 1000),
                    settings.duration("bridge.db.connection-timeout"));
            boolean compactOnStop = settings.bool("bridge.db.compact-on-stop");
            opened.closeOnStop("ledger-datasource", () -> {
                if (compactOnStop) {
                    compactFully(pool);
                }
                pool.close();
            });
            return pool;
        });
    }

    /** {@code bridge.db.compact-on-stop}: the H2 file as small as it gets, its figures logged; a failure only logged (the data is whole). */
    private static void compactFully(DataSource pool) {
        long started = System.nanoTime();
        try {
            LedgerCompaction.Sizes sizes = LedgerCompaction.compactFully(pool);
            if (sizes != null) {
                LOG.info("ledger file compacted as the bridge stops: {} -> {} in {} ms", size(sizes.before()), size(sizes.after()),
                        (System.nanoTime() - started) / 1_000_000);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}; the file stays as it was", e.getMessage());
        }
    }

    private static String size(long bytes) {
        return bytes < 1_000_000 ? String.format(Locale.ROOT, "%,d KB", (bytes + 500) / 1000)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    @BindToRegistry("ledger")
    public Ledger ledger() {
        return once("ledger", () -> new Ledger(ledgerDataSource(), Clock.systemUTC()));
    }

    @BindToRegistry("workQueue")
    public WorkQueue workQueue() {
        return once("workQueue", () -> new WorkQueue(ledger()));
    }

    @BindToRegistry("commandStore")
    public CommandStore commandStore() {
        return once("commandStore", () -> new CommandStore(ledger()));
    }

    @BindToRegistry("callLog")
    public CallLog callLog() {
        return new CallLog(ledger());
    }

    @BindToRegistry("ledgerReads")
    public LedgerReads ledgerReads() {
        return new LedgerReads(ledger());
    }

    @BindToRegistry("transitions")
    public LedgerTransitions transitions() {
        return once("transitions", () -> new LedgerTransitions(ledger()));
    }

    @BindToRegistry("ledgerTransaction")
    public StepTransaction ledgerTransaction() {
        int steps = settings().integer("bridge.db.group-commit", 1, 10_000);
        if (steps < 2 || LedgerDatabase.isPostgres(ledgerDataSource())) {
            return new StepTransaction(ledger());
        }
        GroupCommit group = new GroupCommit(ledger(), steps, 4);
        opened.closeOnStop("ledger-group-commit", group);
        return new StepTransaction(ledger(), group);
    }

    @BindToRegistry("ledgerOutageLog")
    public LedgerOutageLog ledgerOutageLog() {
        return new LedgerOutageLog(Duration.ofMinutes(1), Clock.systemUTC());
    }

    @BindToRegistry("deadlines")
    public DeadlineWatch deadlines() {
        return new DeadlineWatch(workQueue(), commandStore(), transitions());
    }

    @BindToRegistry("accessWebhookEvents")
    public WebhookEventIds accessWebhookEvents() {
        return new WebhookEventIds(ledgerDataSource(), WebhookEventIds.ACCESS_CLOUD);
    }

    /** Every state change is a log line (the simulated ones say so). */
    @Override
    public void configure(CamelContext context) {
        transitions().onStateChanged(new StateChangeLog(Set.of(NetworkCloudAdapter.KIND), choice.simulatedKinds()));
    }
}
