package org.devicebridge;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.NoSuchBeanException;
import org.apache.camel.impl.DefaultCamelContext;
import org.devicebridge.ledger.LedgerCompaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The wiring's rules (docs/architecture.md, Wiring): the concerns run in an order in which each
 * finds every bean it takes ({@code @BeanInject}) bound by those before it; together they bind every
 * bean the routes name; and a concern run without those before it fails start-up naming the bean.
 */
class ConcernConfigurationTest {

    /** How the routes name a bean: {@code ref: x}, {@code bean:x}, {@code executorService: x}, {@code "#x"}, the {@code bridge-http:} component. */
    private static final Pattern ROUTE_BEAN = Pattern.compile(
            "ref: (\\w+)|\\bbean:(\\w+)|executorService: (\\w+)|\"#(\\w+)\"|\\b(bridge-http):");

    @TempDir
    Path dir;

    @Test
    void standAloneEachConcernFindsTheBeansItTakesAndTheRoutesFindEveryBeanTheyName() throws Exception {
        try (CamelContext context = context(() -> {
            Properties p = new Properties();
            p.setProperty("bridge.db.url", "jdbc:h2:file:" + dir.resolve("ledger"));
            return p;
        })) {
            assertOrderAndRouteBeans(context, new BridgeConfiguration(), "routes");
            assertThat(context.getRegistry().lookupByNameAndType("ledgerCompaction", LedgerCompaction.class).quietCopy())
                    .as("the quiet copy of the bridge's own pool of an H2 file").isNotNull()
                    .extracting(LedgerCompaction.QuietCopy::maxLive).isEqualTo(256L << 20);
        }
    }

    @Test
    void embeddedEachConcernFindsTheBeansItTakesAndTheEngineFindsEveryBeanItNames() throws Exception {
        try (HikariDataSource application = new HikariDataSource();
             CamelContext context = context(Properties::new)) {
            application.setJdbcUrl("jdbc:h2:mem:app-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            assertOrderAndRouteBeans(context, new BridgeConfiguration(application), "routes/engine", "routes/templates/batch-intake.yaml",
                    "routes/templates/events-out.yaml");
            assertThat(context.getRegistry().lookupByNameAndType("ledgerCompaction", LedgerCompaction.class).quietCopy())
                    .as("an application's pool: never held back by the ledger").isNull();
        }
    }

    @Test
    void aConcernRunWithoutTheOnesBeforeItNamesTheBeanItMisses() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            assertThatThrownBy(() -> BridgeConfiguration.run(context, new LedgerHousekeepingConfiguration(true)))
                    .isInstanceOf(NoSuchBeanException.class)
                    .hasMessageContaining("ledgerDataSource");
        }
    }

    @Test
    void aBadSettingInABeanMethodFailsNamingItsKeyNotWrappedByCamel() throws Exception {
        try (CamelContext context = context(() -> {
            Properties p = new Properties();
            p.setProperty("bridge.retry.max-attempts", "many");
            return p;
        })) {
            assertThatThrownBy(() -> BridgeConfiguration.run(context, new CloudsConfiguration(new OpenedResources(context))))
                    .isInstanceOf(BadConfigurationException.class)
                    .hasMessageContaining("bridge.retry.max-attempts");
        }
    }

    private void assertOrderAndRouteBeans(CamelContext context, BridgeConfiguration bridge, String... routes) throws Exception {
        OpenedResources opened = new OpenedResources(context);
        try {
            for (CamelConfiguration concern : bridge.concerns(opened)) {
                for (String taken : beansTaken(concern.getClass())) {
                    assertThat(context.getRegistry().lookupByName(taken))
                            .as("%s takes %s: bound by a concern before it", concern.getClass().getSimpleName(), taken).isNotNull();
                }
                BridgeConfiguration.run(context, concern);
            }
        } finally {
            opened.closeAll();   // the ledger's pool of the stand-alone bridge: the context is never started
        }
        Set<String> named = beansNamedIn(routes);
        assertThat(named).contains("accessCloud", "ledgerTransaction", "bridge-http");
        for (String name : named) {
            assertThat(context.getRegistry().lookupByName(name)).as("the routes' bean %s", name).isNotNull();
        }
    }

    /** A bridge's settings: the defaults, its folders here, the access cloud on a port nothing is called on, an in-memory ledger, no queues. */
    private CamelContext context(java.util.function.Supplier<Properties> extra) {
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("file:config/application.properties");
        Properties p = new Properties();
        for (String folder : List.of("inbox", "archive", "deadletter", "outbox")) {
            p.setProperty("bridge." + folder + ".dir", dir.resolve(folder).toString());
        }
        p.setProperty("bridge.simulator.enabled", "false");
        p.setProperty("bridge.access.base-url", "http://127.0.0.1:9");   // nothing is called
        p.setProperty("bridge.access.api-key", "ak_concerns_test");
        p.setProperty("bridge.access.webhook-secret", "whsec_concerns_test");
        p.setProperty("bridge.examples.seed", "false");
        p.setProperty("bridge.jms.enabled", "false");
        p.setProperty("bridge.db.url", "jdbc:h2:mem:ledger-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        p.putAll(extra.get());
        context.getPropertiesComponent().setOverrideProperties(p);
        return context;
    }

    private static Set<String> beansTaken(Class<?> concern) {
        Set<String> names = new TreeSet<>();
        for (Field field : concern.getDeclaredFields()) {
            BeanInject inject = field.getAnnotation(BeanInject.class);
            if (inject != null) {
                names.add(inject.value());
            }
        }
        return names;
    }

    private static Set<String> beansNamedIn(String... places) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String place : places) {
            try (Stream<Path> files = Files.walk(Path.of(place))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                    Matcher m = ROUTE_BEAN.matcher(Files.readString(file));
                    while (m.find()) {
                        for (int g = 1; g <= m.groupCount(); g++) {
                            if (m.group(g) != null) {
                                names.add(m.group(g));
                            }
                        }
                    }
                }
            }
        }
        return names;
    }
}
