package org.devicebridge;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.devicebridge.access.AccessCloudAdapter;
import org.devicebridge.access.CredentialsActionPlanner;
import org.devicebridge.access.CredentialsPayloadValidator;
import org.devicebridge.cloud.BackoffSchedule;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.CommandOutcomes;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.ledger.DeadlineWatch;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerDatabase;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.results.CommandView;
import org.devicebridge.results.RequestReporter;
import org.devicebridge.results.StateChangeLog;
import org.devicebridge.webhook.WebhookSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Wires the bridge's beans into Camel's registry the Camel Main way, from {@code bridge.*}
 * configuration. The routes in {@code routes/} refer to these beans by name.
 */
public class BridgeConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        absoluteDirectories(context, settings);
        Registry registry = context.getRegistry();
        ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        Redactor redactor = new Redactor();

        AccessEndpoint access = accessEndpoint(context, settings, redactor);

        HikariDataSource dataSource = LedgerDatabase.open(
                settings.get("bridge.db.url", "jdbc:h2:file:./data/ledger"),
                settings.get("bridge.db.user", "sa"),
                settings.secret("bridge.db.password").orElse(""),
                settings.get("bridge.db.schema", null),
                settings.integer("bridge.db.pool-size", 10));
        closeOnStop(context, "ledger-datasource", dataSource);
        Ledger ledger = new Ledger(dataSource, Clock.systemUTC());
        LedgerTransitions transitions = new LedgerTransitions(ledger);
        transitions.onStateChanged(new StateChangeLog());
        BackoffSchedule backoff = new BackoffSchedule(
                settings.duration("bridge.retry.initial-delay", Duration.ofSeconds(1)),
                settings.duration("bridge.retry.max-delay", Duration.ofMinutes(2)),
                settings.integer("bridge.retry.max-attempts", 8),
                settings.duration("bridge.poll.initial-interval", Duration.ofSeconds(1)),
                settings.duration("bridge.poll.max-interval", Duration.ofSeconds(30)));
        CloudCall call = new CloudCall(redactor);
        CommandOutcomes outcomes = new CommandOutcomes(ledger, transitions, backoff, redactor, mapper);

        registry.bind("ledgerDataSource", dataSource);
        registry.bind("ledger", ledger);
        registry.bind("transitions", transitions);
        registry.bind("redactor", redactor);
        registry.bind("deadlines", new DeadlineWatch(ledger, transitions));
        registry.bind("accessCloud", new AccessCloudAdapter(access.baseUrl(), access.apiKey(),
                settings.integer("bridge.access.max-recreates", 3), settings.integer("bridge.access.batch-size", 100),
                settings.duration("bridge.access.lease", Duration.ofMinutes(1)), ledger, transitions, call, backoff, outcomes, redactor, mapper));
        registry.bind("accessWebhookSignature", new WebhookSignature(access.webhookSecret()));
        JdbcMessageIdRepository webhookEvents = new JdbcMessageIdRepository(dataSource, "access-webhook-events");
        webhookEvents.setCreateTableIfNotExists(false);
        registry.bind("accessWebhookEvents", webhookEvents);

        registry.bind("intake", new ActionIntake(ledger, new BatchReader(mapper),
                List.of(new CredentialsActionPlanner(new CredentialsPayloadValidator())),
                settings.duration("bridge.action.deadline", Duration.ofMinutes(15)),
                settings.integer("bridge.progress.every-records", 1000), mapper));
        CommandView view = new CommandView(ledger, mapper);
        RequestReporter reporter = new RequestReporter(ledger, view, mapper, Path.of(settings.get("bridge.outbox.dir", "data/outbox")));
        registry.bind("reporter", reporter);
        registry.bind("onceMode", new OnceMode(settings.bool("bridge.once", false), ledger, reporter, Path.of(settings.get("bridge.inbox.dir", "data/inbox")),
                settings.get("bridge.inbox.include", ".*\\.(json|jsonl)"), settings.duration("bridge.once.max-wait", Duration.ofHours(1))));
        InboxExamples.seedIfNew(settings);
    }

    /** Where the access cloud is and how to authenticate; starts the built-in simulator when enabled. */
    private static AccessEndpoint accessEndpoint(CamelContext context, Settings settings, Redactor redactor) {
        boolean simulator = settings.bool("bridge.simulator.enabled", true);
        String apiKey = settings.secret("bridge.access.api-key").orElse(null);
        String webhookSecret = settings.secret("bridge.access.webhook-secret").orElse(null);
        String baseUrl = settings.optional("bridge.access.base-url").orElse(null);
        if (simulator) {
            BuiltInSimulator sim = BuiltInSimulator.start(settings, apiKey, webhookSecret);
            closeOnStop(context, "simulator", sim);
            apiKey = sim.apiKey();
            webhookSecret = sim.webhookSecret();
            if (baseUrl == null) {
                baseUrl = sim.accessBaseUrl();
            }
        }
        if (baseUrl == null) {
            throw new BadConfigurationException("bridge.access.base-url", "is required when bridge.simulator.enabled=false");
        }
        if (apiKey == null) {
            throw new BadConfigurationException("bridge.access.api-key",
                    "is required (set BRIDGE_ACCESS_API_KEY, or bridge.access.api-key-file to a file holding it)");
        }
        checkTransport("bridge.access.base-url", baseUrl);
        redactor.addSecret(apiKey);
        redactor.addSecret(webhookSecret);
        if (webhookSecret == null) {
            LOG.warn("bridge.access.webhook-secret is not set: access-cloud webhooks are refused (401); polling alone tracks actions");
        }
        return new AccessEndpoint(baseUrl, apiKey, webhookSecret);
    }

    /**
     * The folders as absolute paths, so that the file endpoints' {@code move} (relative to the
     * inbox otherwise) and every bean see the same places whatever the working directory.
     */
    private static void absoluteDirectories(CamelContext context, Settings settings) {
        for (String key : List.of("bridge.inbox.dir", "bridge.archive.dir", "bridge.deadletter.dir", "bridge.outbox.dir")) {
            context.getPropertiesComponent().addOverrideProperty(key, Path.of(settings.required(key)).toAbsolutePath().normalize().toString());
        }
    }

    /** HTTPS for real clouds; plain http only on loopback (simulator, tests). */
    static void checkTransport(String key, String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new BadConfigurationException(key, "is not a URL: " + e.getMessage());
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
        if ("https".equalsIgnoreCase(uri.getScheme()) || ("http".equalsIgnoreCase(uri.getScheme()) && loopback)) {
            return;
        }
        throw new BadConfigurationException(key, "must be an https:// URL (plain http:// only for loopback addresses), not " + url);
    }

    /** Stops a resource with the Camel context. */
    private static void closeOnStop(CamelContext context, String name, AutoCloseable resource) {
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() throws Exception {
                    resource.close();
                }

                @Override
                public String toString() {
                    return name;
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot register " + name, e);
        }
    }

    private record AccessEndpoint(String baseUrl, String apiKey, String webhookSecret) {
    }
}
