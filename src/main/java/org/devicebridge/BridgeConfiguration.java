package org.devicebridge;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spi.Registry;
import org.devicebridge.access.AccessCloudAdapter;
import org.devicebridge.cloud.BackoffSchedule;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.CommandOutcomes;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.cloud.StepWorkers;
import org.devicebridge.api.ApiGate;
import org.devicebridge.api.DeviceTokens;
import org.devicebridge.api.FallbackAnswers;
import org.devicebridge.api.StatusApi;
import org.devicebridge.inbox.CommandInbox;
import org.devicebridge.home.HomeCloudAdapter;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.intake.FileIntake;
import org.devicebridge.intake.MessageIntake;
import org.devicebridge.observe.StepLogContext;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.DeadlineWatch;
import org.devicebridge.ledger.IntakeWriter;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerDatabase;
import org.devicebridge.ledger.LedgerOutageLog;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.RateLimiter;
import org.devicebridge.ledger.StepTransaction;
import org.devicebridge.ledger.WorkQueue;
import org.devicebridge.network.NetworkCloudAdapter;
import org.devicebridge.observe.BridgeMetrics;
import org.devicebridge.observe.CloudHealthCheck;
import org.devicebridge.observe.HealthRefresher;
import org.devicebridge.observe.LedgerHealthCheck;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.health.HealthCheckRegistry;
import org.devicebridge.results.CommandView;
import org.devicebridge.results.RequestReporter;
import org.devicebridge.results.StateChangeLog;
import org.devicebridge.inbound.WebhookEventIds;
import org.devicebridge.inbound.RawRequestBody;
import org.devicebridge.cloud.WebhookSignature;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wires the bridge's beans into Camel's registry the Camel Main way, from {@code bridge.*}
 * configuration. The routes in {@code routes/} refer to these beans by name.
 * It binds the core (ledger, cloud adapters, intake, status API), then runs the configuration class
 * of each further concern in start-up order: {@link LedgerHousekeepingConfiguration},
 * {@link ConsoleConfiguration}, {@link FanoutConfiguration}, and stand-alone {@link JmsConfiguration}
 * and {@link ScheduleConfiguration}; each takes the beans it needs from the registry
 * (docs/architecture.md, Wiring).
 * <p>
 * Stand-alone (Camel Main, the no-argument constructor) the ledger is opened from
 * {@code bridge.db.*} and the bridge runs its own queues ({@link JmsConfiguration}). Embedded in an
 * application ({@link org.devicebridge.embed.DeviceBridge}) the ledger lives on the application's
 * DataSource and the application feeds the route templates from its own endpoints.
 */
public class BridgeConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeConfiguration.class);

    /** The HTTP component of every call the bridge makes (routes/engine/cloud-http.yaml), its own also inside an application. */
    static final String CLOUD_HTTP = "bridge-http";
    /** A webhook body is read whole before its signature is checked: at most this many bytes (413 above) ... */
    private static final int WEBHOOK_MAX_BODY = 1024 * 1024;
    /** ... arriving within this time (408 otherwise). */
    private static final Duration WEBHOOK_BODY_TIMEOUT = Duration.ofSeconds(30);
    /** Connections kept beside the workers' for webhooks and event streams going out. */
    private static final int WEBHOOK_CONNECTIONS = 20;

    private final DataSource applicationDataSource;

    /** The stand-alone bridge: the ledger from {@code bridge.db.*}, the bridge's own queues. */
    public BridgeConfiguration() {
        this(null);
    }

    /**
     * The bridge inside an application: the ledger's tables in the default schema of the
     * application's DataSource (migrated here; the application keeps and closes its pool), and no
     * broker or queue of the bridge's own.
     */
    public BridgeConfiguration(DataSource applicationDataSource) {
        this.applicationDataSource = applicationDataSource;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        OpenedResources opened = new OpenedResources(context);
        try {
            configure(context, opened);
        } catch (Exception | Error e) {
            opened.closeAll(); // bad configuration: nothing the bridge started (simulator, pool, broker) lives on
            throw e;
        }
    }

    private void configure(CamelContext context, OpenedResources opened) throws Exception {
        Settings settings = new Settings(context);
        absoluteDirectories(context, settings);
        Registry registry = context.getRegistry();
        ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        Redactor redactor = new Redactor();

        ManagementExposure.check(settings);             // details of health and metrics: loopback unless opened deliberately
        CloudChoice choice = CloudChoice.of(settings);   // fail closed: simulated only in the demo or when asked
        BuiltInSimulator simulator = null;
        if (choice.anySimulated()) {
            simulator = BuiltInSimulator.start(settings, choice);
            opened.closeOnStop("simulator", simulator);
        }
        CloudEndpoints clouds = CloudEndpoints.resolve(settings, choice, simulator);
        redactor.addSecret(clouds.access().secret());
        redactor.addSecret(clouds.accessWebhookSecret());
        redactor.addSecret(clouds.network().secret());
        redactor.addSecret(clouds.home().secret());

        DataSource dataSource = ledgerDataSource(settings, opened);
        Ledger ledger = new Ledger(dataSource, Clock.systemUTC());
        WorkQueue workQueue = new WorkQueue(ledger);
        CommandStore commandStore = new CommandStore(ledger);
        CallLog callLog = new CallLog(ledger);
        LedgerReads reads = new LedgerReads(ledger);
        LedgerTransitions transitions = new LedgerTransitions(ledger);
        transitions.onStateChanged(new StateChangeLog(Set.of(NetworkCloudAdapter.KIND), choice.simulatedKinds()));
        BackoffSchedule backoff = new BackoffSchedule(
                settings.duration("bridge.retry.initial-delay"),
                settings.duration("bridge.retry.max-delay"),
                settings.integer("bridge.retry.max-attempts", 1, Integer.MAX_VALUE),
                settings.duration("bridge.poll.initial-interval"),
                settings.duration("bridge.poll.max-interval"));
        CloudCall call = new CloudCall(redactor);
        // each cloud's steps run on workers of the bridge's own, at most bridge.<cloud>.concurrency at once
        StepWorkers accessWorkers = new StepWorkers(context, "access-steps", settings.integer("bridge.access.concurrency", 1, 1_000));
        StepWorkers networkWorkers = new StepWorkers(context, "network-calls", settings.integer("bridge.network.concurrency", 1, 100));
        StepWorkers homeWorkers = new StepWorkers(context, "home-calls", settings.integer("bridge.home.concurrency", 1, 100));
        registry.bind("accessWorkers", accessWorkers);
        registry.bind("networkWorkers", networkWorkers);
        registry.bind("homeWorkers", homeWorkers);
        context.addComponent(CLOUD_HTTP, cloudHttpClient(settings,
                accessWorkers.size() + networkWorkers.size() + homeWorkers.size() + WEBHOOK_CONNECTIONS));
        CommandOutcomes outcomes = new CommandOutcomes(ledger, workQueue, transitions, backoff, redactor, mapper);

        registry.bind("ledgerDataSource", dataSource);
        registry.bind("ledger", ledger);
        registry.bind("workQueue", workQueue);
        registry.bind("commandStore", commandStore);
        registry.bind("callLog", callLog);
        registry.bind("ledgerReads", reads);
        registry.bind("ledgerTransaction", new StepTransaction(ledger));
        registry.bind("ledgerOutageLog", new LedgerOutageLog(Duration.ofMinutes(1), Clock.systemUTC()));
        registry.bind("transitions", transitions);
        registry.bind("redactor", redactor);
        registry.bind("deadlines", new DeadlineWatch(workQueue, commandStore, transitions));
        registry.bind("stepLogContext", new StepLogContext());     // an engine step's log lines name its request, command, device
        new LedgerHousekeepingConfiguration().configure(context);   // on the ledger's DataSource, bound above
        Duration lease = settings.duration("bridge.access.lease");
        AccessCloudAdapter access = new AccessCloudAdapter(AccessDialects.dialect(context, settings, clouds, call, redactor, mapper),
                settings.integer("bridge.access.max-recreates", 0, Integer.MAX_VALUE), settings.integer("bridge.access.batch-size", 1, 10_000),
                lease, ledger, workQueue, commandStore, callLog, transitions, call, backoff, outcomes, redactor, mapper)
                .olderDocuments(olderDocuments(settings)).readBack(settings.bool("bridge.access.read-back"));
        transitions.onStateChanged(access::onCommandFinal);   // a device got free: its next command goes at once
        registry.bind("accessCloud", access);
        registry.bind("rawRequestBody", new RawRequestBody(WEBHOOK_MAX_BODY, WEBHOOK_BODY_TIMEOUT));
        CallLimits limits = CallLimits.of(settings);
        NetworkCloudAdapter network = new NetworkCloudAdapter(clouds.network().baseUrl(), clouds.network().secret(),
                limits.networkChunk(), limits.networkRateLimit(), limits.networkWindow(), lease, ledger, workQueue, callLog, transitions,
                new RateLimiter(ledger), call, outcomes, mapper);
        if (choice.simulated().contains("network")) {
            network.markSimulated();
        }
        registry.bind("networkCloud", network);
        registry.bind("homeCloud", new HomeCloudAdapter(clouds.home().baseUrl(), clouds.home().secret(),
                limits.homeBatch(), settings.duration("bridge.home.gather"), lease, ledger, workQueue, commandStore,
                callLog, transitions, call, outcomes, mapper));
        // shared by the configuration classes of the concerns below, which take them from the registry
        registry.bind("jsonMapper", mapper);
        registry.bind("cloudCall", call);
        registry.bind("backoff", backoff);
        registry.bind("cloudEndpoints", clouds);
        registry.bind("accessWebhookEvents", new WebhookEventIds(dataSource, WebhookEventIds.ACCESS_CLOUD));

        // the one intake of every trigger (IntakeRules: the same for --dry-run)
        IntakeWriter intakeWriter = new IntakeWriter(ledger);
        int intakeThreads = IntakeRules.backgroundThreads(settings);
        ActionIntake intake = new ActionIntake(intakeWriter, new BatchReader(mapper), IntakeRules.pipeline(settings, mapper, limits),
                context.getExecutorServiceManager().newFixedThreadPool(intakeWriter, "intake", intakeThreads), intakeThreads);
        intake.onIntakeComplete(network::warnIfDeadlineComesFirst);
        registry.bind("intake", intake);
        registry.bind("fileIntake", new FileIntake(intake, Path.of(settings.required("bridge.archive.dir")),
                Path.of(settings.required("bridge.deadletter.dir")), readyRule(settings), mapper, Clock.systemUTC()));
        CommandView view = new CommandView(callLog, reads, mapper, choice.simulatedKinds());
        registry.bind("commandView", view);
        CommandInbox commandInbox = new CommandInbox(workQueue, reads, transitions);
        registry.bind("commandInbox", commandInbox);
        String apiToken = settings.secret("bridge.api.token").orElse(null);
        String deviceToken = settings.secret("bridge.api.device-token").orElse(null);
        redactor.addSecret(apiToken);
        redactor.addSecret(deviceToken);
        if (apiToken == null) {
            LOG.warn("bridge.api.token is not set: the status API answers 401 to every call");
        }
        DeviceTokens deviceTokens = settings.optional(DeviceTokens.KEY)
                .map(file -> DeviceTokens.load(Path.of(file), java.util.stream.Stream.of(apiToken, deviceToken)
                        .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet()), redactor::addSecret))
                .orElse(DeviceTokens.none());
        if (deviceTokens.size() > 0) {
            LOG.info("{}: tokens of {} devices", DeviceTokens.KEY, deviceTokens.size());
        }
        ApiGate gate = new ApiGate(apiToken, deviceToken, deviceTokens, mapper, redactor);
        registry.bind("apiGate", gate);
        registry.bind("accessWebhookAuth", AccessDialects.webhookAuth(settings, clouds, gate));
        registry.bind("statusApi", new StatusApi(commandStore, reads, transitions, commandInbox,
                intake, view, gate, mapper));
        new ConsoleConfiguration().configure(context);
        RequestReporter reporter = new RequestReporter(commandStore, reads, view, mapper, Path.of(settings.required("bridge.outbox.dir")),
                intakeWriter);
        registry.bind("reporter", reporter);
        registry.bind("onceMode", new OnceMode(settings.bool("bridge.once"), ledger, commandStore, reads, reporter, Path.of(settings.required("bridge.inbox.dir")),
                settings.required("bridge.inbox.include"), settings.duration("bridge.once.max-wait")));
        observe(context, new BridgeMetrics(workQueue, callLog, reads, transitions, network), callLog, reads, clouds);
        context.addService(new HealthRefresher(context, settings.duration("bridge.health.refresh-interval")));
        InboxExamples.seedIfNew(settings, choice);
        registry.bind("messageIntake", new MessageIntake(intake));
        new FanoutConfiguration().configure(context);
        if (applicationDataSource == null) {
            FallbackAnswers.installOnStart(context, gate, redactor);   // 404 / 405 / 500 of the API port: envelope, X-Request-ID
            new JmsConfiguration(opened).configure(context);
            new ScheduleConfiguration().configure(context);
        }
    }

    /**
     * The client of every cloud call and webhook out: bounded waits, no cookies shared between calls,
     * and no silent re-execution of a call (of a 429 / 503, or of a POST that creates an action):
     * retries belong to the ledger (backoff, {@code Retry-After}, one {@code bridge_call} row per call).
     */
    /**
     * The HTTP client of every cloud call and webhook out. Its connection pool holds one connection
     * per worker (the component's default of 20 per host would cap the concurrency unseen).
     */
    private static HttpComponent cloudHttpClient(Settings settings, int connections) {
        HttpComponent http = new HttpComponent();
        http.setMaxTotalConnections(connections);
        http.setConnectionsPerRoute(connections);
        int connect = (int) settings.duration("bridge.cloud.connect-timeout").toMillis();
        int response = (int) settings.duration("bridge.cloud.response-timeout").toMillis();
        http.setConnectTimeout(connect);
        http.setConnectionRequestTimeout(connect);
        http.setSoTimeout(response);
        http.setResponseTimeout(response);
        http.setCookieManagementDisabled(true);
        http.setAutomaticRetriesDisabled(true);
        return http;
    }

    /** The application's DataSource, migrated; or else a pool opened (and closed with the bridge) from {@code bridge.db.*}. */
    private DataSource ledgerDataSource(Settings settings, OpenedResources opened) {
        if (applicationDataSource != null) {
            LedgerDatabase.migrate(applicationDataSource, null);
            return applicationDataSource;
        }
        HikariDataSource dataSource = LedgerDatabase.open(
                settings.required("bridge.db.url"),
                settings.required("bridge.db.user"),
                settings.secret("bridge.db.password").orElse(""),
                settings.get("bridge.db.schema", null),
                settings.integer("bridge.db.pool-size", 1, 1000),
                settings.duration("bridge.db.connection-timeout"));
        opened.closeOnStop("ledger-datasource", dataSource);
        return dataSource;
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

    /**
     * Once Camel Main has made its metrics registry and health-check registry: the bridge's own
     * metrics ({@code /observe/metrics}) and readiness checks: the ledger, and each configured cloud's last call.
     */
    private static void observe(CamelContext context, BridgeMetrics metrics, CallLog callLog, LedgerReads reads,
                                CloudEndpoints clouds) throws Exception {
        context.addStartupListener((ctx, alreadyStarted) -> {
            MeterRegistry meters = ctx.getRegistry().findSingleByType(MeterRegistry.class);
            if (meters != null) {
                metrics.bindTo(meters);
            }
            HealthCheckRegistry health = HealthCheckRegistry.get(ctx);
            if (health != null) {
                health.register(new LedgerHealthCheck(reads));
                Map.of("access", clouds.access(), "network", clouds.network(), "home", clouds.home()).forEach((name, endpoint) -> {
                    if (endpoint.configured()) {
                        health.register(new CloudHealthCheck(name, callLog));
                    }
                });
            }
        });
    }

    /** {@code bridge.access.per-device}: what becomes of older documents for a device. */
    private static AccessCloudAdapter.OlderDocuments olderDocuments(Settings settings) {
        try {
            return AccessCloudAdapter.OlderDocuments.of(settings.required("bridge.access.per-device"));
        } catch (IllegalArgumentException e) {
            throw new BadConfigurationException("bridge.access.per-device", "must be 'supersede' or 'in-order'");
        }
    }

    /** {@code bridge.inbox.ready}: how a producer marks a dropped file complete. */
    private static FileIntake.Ready readyRule(Settings settings) {
        try {
            return FileIntake.Ready.of(settings.required("bridge.inbox.ready"));
        } catch (IllegalArgumentException e) {
            throw new BadConfigurationException("bridge.inbox.ready", "must be 'rename' or 'done-file'");
        }
    }


}
