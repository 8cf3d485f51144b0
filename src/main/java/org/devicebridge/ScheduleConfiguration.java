package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.ledger.LedgerDatabase;
import org.devicebridge.schedule.QuartzSchedulerFactory;
import org.devicebridge.schedule.Schedule;
import org.devicebridge.schedule.ScheduledBatchRoutes;
import org.devicebridge.schedule.ScheduledBatches;
import org.quartz.CronExpression;
import org.slf4j.Logger;

import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TimeZone;
import java.util.regex.Pattern;

/**
 * Wires scheduled batches (routes/templates/scheduled-batch.yaml) from {@code bridge.schedules.*}
 * and {@code bridge.quartz.*}: the {@code scheduledBatches} bean, Camel's {@code quartz} component
 * on the bridge's {@link QuartzSchedulerFactory} (RAM, or clustered on the ledger's PostgreSQL),
 * and one route per schedule from the template ({@link ScheduledBatchRoutes}, the route-template
 * parameter source Camel makes them from). Run last by {@link BridgeConfiguration} (it takes the
 * intake and the ledger). Without schedules no scheduler is made; in {@code --once} runs the
 * schedules are checked but not run. The schedules keep keys of their own rather than Camel Main's
 * {@code camel.route-template[<id>].*}, which environment variables cannot set (docs/scheduling.md).
 */
public final class ScheduleConfiguration extends ConcernConfiguration {

    /** Where the triggers are kept. */
    public enum Store { RAM, JDBC }

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleConfiguration.class);
    /** A schedule's name: it is part of keys, the route id, the Quartz trigger and request ids (kept short for them). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    @BeanInject("intake")
    ActionIntake intake;
    @BeanInject("ledgerDataSource")
    DataSource ledgerDataSource;
    @BeanInject("jsonMapper")
    ObjectMapper mapper;

    @Override
    public void configure(CamelContext context) throws Exception {
        configure(context, settings(), intake, ledgerDataSource, mapper);
    }

    /** The same, with what it takes named (the tests check bad settings with it). */
    static void configure(CamelContext context, Settings settings, ActionIntake intake, DataSource ledger,
                                 ObjectMapper mapper) throws Exception {
        List<Schedule> schedules = schedules(settings);
        Store store = store(settings);
        int threads = settings.integer("bridge.quartz.threads");
        if (threads < 1) {
            throw new BadConfigurationException("bridge.quartz.threads", "must be at least 1, not " + threads);
        }
        Duration misfireThreshold = positive(settings, "bridge.quartz.misfire-threshold");
        Duration checkinInterval = positive(settings, "bridge.quartz.checkin-interval");
        if (store == Store.JDBC && !LedgerDatabase.isPostgres(ledger)) {
            throw new BadConfigurationException("bridge.quartz.store", "jdbc needs the ledger on PostgreSQL (bridge.db.url); "
                    + "the ledger is on H2: use ram");
        }
        context.getRegistry().bind("scheduledBatches", new ScheduledBatches(intake, mapper));
        if (schedules.isEmpty()) {
            return;
        }
        List<String> names = schedules.stream().map(Schedule::name).toList();
        if (settings.bool("bridge.once")) {
            LOG.info("--once: the schedules {} are not run (a one-shot run takes in what is in the inbox)", names);
            return;
        }
        QuartzSchedulerFactory factory;
        if (store == Store.JDBC) {
            LedgerDatabase.migrateQuartzTables(ledger, settings.get("bridge.db.schema", null));
            factory = QuartzSchedulerFactory.clustered(context, schedules, ledger, threads, misfireThreshold, checkinInterval);
        } else {
            factory = QuartzSchedulerFactory.inMemory(context, schedules, threads, misfireThreshold);
        }
        QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
        quartz.setSchedulerFactory(factory);
        quartz.setEnableJmx(false);
        context.getManagementStrategy().addEventNotifier(factory.shutdownWhenCamelStops());
        context.getRegistry().bind("scheduledBatchRoutes", new ScheduledBatchRoutes(schedules));
        for (Schedule s : schedules) {
            LOG.info("schedule {}: '{}' ({}, misfire {}) takes in {}", s.name(), s.cron(), s.zone().getId(), s.misfire().key(),
                    s.source());
        }
        LOG.info("schedules: {} on the {} job store", names,
                store == Store.JDBC ? "clustered JDBC (ledger database)" : "RAM");
    }

    /**
     * {@code bridge.schedules=a,b}, and for each name {@code bridge.schedules.<name>.cron} (required),
     * {@code .timezone} (default UTC), {@code .source} (required, must exist) and {@code .misfire}
     * ({@code run-once} by default, or {@code skip}).
     */
    public static List<Schedule> schedules(Settings settings) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : settings.get("bridge.schedules", "").split(",")) {
            String n = name.trim();
            if (n.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(n).matches() || !names.add(n)) {
                throw new BadConfigurationException("bridge.schedules",
                        "must be distinct names of up to 64 letters, digits, '-' and '_', not '" + n + "'");
            }
        }
        List<Schedule> schedules = new ArrayList<>();
        for (String name : names) {
            String key = "bridge.schedules." + name + ".";
            ZoneId zone = zone(key + "timezone", settings.get(key + "timezone", "UTC"));
            String cron = cron(key + "cron", settings.required(key + "cron"), zone);
            Path source = source(key + "source", settings.required(key + "source"));
            String misfire = settings.get(key + "misfire", Schedule.Misfire.RUN_ONCE.key());
            schedules.add(new Schedule(name, cron, zone, source, Schedule.Misfire.of(misfire).orElseThrow(() ->
                    new BadConfigurationException(key + "misfire", "must be run-once or skip, not '" + misfire + "'"))));
        }
        return schedules;
    }

    static Store store(Settings settings) {
        String store = settings.required("bridge.quartz.store");
        return switch (store.toLowerCase(Locale.ROOT)) {
            case "ram" -> Store.RAM;
            case "jdbc" -> Store.JDBC;
            default -> throw new BadConfigurationException("bridge.quartz.store", "must be ram or jdbc, not '" + store + "'");
        };
    }

    private static ZoneId zone(String key, String value) {
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new BadConfigurationException(key, "must be a time-zone id such as UTC or Europe/Berlin, not '" + value + "'");
        }
    }

    /** A Quartz cron expression that fires at least once more. */
    private static String cron(String key, String value, ZoneId zone) {
        CronExpression expression;
        try {
            expression = new CronExpression(value);
        } catch (ParseException e) {
            throw new BadConfigurationException(key, "must be a Quartz cron expression, seconds first (0 0 2 * * ? = every day at "
                    + "02:00), not '" + value + "': " + e.getMessage());
        }
        expression.setTimeZone(TimeZone.getTimeZone(zone));
        if (expression.getNextValidTimeAfter(new Date()) == null) {
            throw new BadConfigurationException(key, "never fires again: '" + value + "'");
        }
        return value;
    }

    private static Path source(String key, String value) {
        Path path;
        try {
            path = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new BadConfigurationException(key, "is not a path: " + e.getMessage());
        }
        if (!Files.isRegularFile(path) && !Files.isDirectory(path)) {
            throw new BadConfigurationException(key, "must name a batch document or a directory of *.json documents; "
                    + path + " does not exist");
        }
        return path;
    }

    private static Duration positive(Settings settings, String key) {
        Duration d = settings.duration(key);
        if (d.toMillis() < 1) {
            throw new BadConfigurationException(key, "must be longer than 0, not " + d);
        }
        return d;
    }
}
