package org.devicebridge;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.engine.DefaultCamelBeanPostProcessor;
import org.apache.camel.spi.CamelBeanPostProcessor;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Wires the bridge's beans into Camel's registry the Camel Main way, from {@code bridge.*}
 * configuration: it runs the configuration class of each concern, in start-up order, each binding
 * its beans with {@code @BindToRegistry} and taking those of the concerns before it with
 * {@code @BeanInject} (docs/architecture.md, Wiring). The routes in {@code routes/} refer to the
 * beans by name.
 * <p>
 * Stand-alone (Camel Main, the no-argument constructor) the ledger is opened from
 * {@code bridge.db.*} and the bridge runs its own queues ({@link JmsConfiguration}) and schedules
 * ({@link ScheduleConfiguration}). Embedded in an application ({@link org.devicebridge.embed.DeviceBridge})
 * the ledger lives on the application's DataSource and the application feeds the route templates
 * from its own endpoints.
 */
public class BridgeConfiguration implements CamelConfiguration {

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
            Settings settings = new Settings(context);
            ManagementExposure.check(settings);     // details of health and metrics: loopback unless opened deliberately
            absoluteDirectories(context, settings);
            for (CamelConfiguration concern : concerns(opened)) {
                run(context, concern);
            }
        } catch (Exception | Error e) {
            opened.closeAll(); // bad configuration: nothing the bridge started (simulator, pool, broker) lives on
            throw e;
        }
    }

    /** The concerns in start-up order: each takes beans only of those before it. */
    List<CamelConfiguration> concerns(OpenedResources opened) {
        boolean standAlone = applicationDataSource == null;
        List<CamelConfiguration> concerns = new ArrayList<>(List.of(
                new CloudsConfiguration(opened),
                new LedgerConfiguration(applicationDataSource, opened),
                new LedgerHousekeepingConfiguration(standAlone),
                new CloudAdaptersConfiguration(),
                new IntakeConfiguration(),
                new StatusApiConfiguration(standAlone),
                new ConsoleConfiguration(),
                new ObservabilityConfiguration(),
                new FanoutConfiguration()));
        if (standAlone) {
            concerns.add(new JmsConfiguration(opened));
            concerns.add(new ScheduleConfiguration());
        }
        return concerns;
    }

    /**
     * Runs one concern's configuration class as Camel Main runs its configuration classes: Camel's
     * bean post processor injects its {@code @PropertyInject} and {@code @BeanInject} fields and
     * binds its {@code @BindToRegistry} methods, then {@code configure} joins the beans. A post
     * processor of Camel's own, not the context's: inside a Spring application that one leaves
     * {@code @BindToRegistry} to Spring.
     */
    static void run(CamelContext context, CamelConfiguration concern) throws Exception {
        CamelBeanPostProcessor beans = new DefaultCamelBeanPostProcessor(context);
        String name = concern.getClass().getSimpleName();
        try {
            beans.postProcessBeforeInitialization(concern, name);
            beans.postProcessAfterInitialization(concern, name);
        } catch (RuntimeException e) {
            throw badConfigurationIn(e);
        }
        concern.configure(context);
    }

    /** A bad setting found in a bean method comes wrapped by Camel's reflection: the setting's own error, or else as it came. */
    private static RuntimeException badConfigurationIn(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadConfigurationException bad) {
                return bad;
            }
        }
        return e;
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
}
