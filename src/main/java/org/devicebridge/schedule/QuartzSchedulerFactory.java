package org.devicebridge.schedule;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.component.quartz.QuartzConstants;
import org.apache.camel.component.quartz.QuartzHelper;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.CronTrigger;
import org.quartz.JobListener;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SchedulerFactory;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The bridge's Quartz scheduler, handed to Camel's quartz component (which starts and stops it):
 * the same setup on either store.
 * <ul>
 *   <li>RAM ({@link #inMemory}): triggers live in this process; each instance fires its own schedules.</li>
 *   <li>JDBC, clustered ({@link #clustered}): {@code JobStoreTX} with the PostgreSQL delegate on the
 *   ledger's own connection pool, tables {@code QRTZ_*} ({@code db/quartz/postgresql}). Every
 *   instance has the same scheduler name and its own instance id ({@code AUTO}); a row lock in the
 *   database lets exactly one of them fire each firing, and an instance that stops checking in has
 *   its in-flight firings run again by another.</li>
 * </ul>
 * Three details:
 * <ul>
 *   <li>Instances in one JVM (tests) are independent, as separate processes are anyway: the
 *   scheduler is not left in Quartz's JVM-wide repository (where a second one of the same name
 *   would be handed the first), and each firing is given this bridge's CamelContext (the job data in
 *   the database names the context of whichever instance scheduled it first).</li>
 *   <li>A trigger kept in the database that no longer matches its schedule is removed before the
 *   routes start, so that they schedule it anew: camel-quartz replaces a stored trigger only when
 *   its cron expression changed, not its time zone or misfire instruction, and never removes the
 *   trigger of a schedule that is no longer configured.</li>
 *   <li>The scheduler shuts down when the CamelContext starts stopping, before its routes stop
 *   ({@link #shutdownWhenCamelStops()}); it waits for the firings running then. Else, between the
 *   routes' stop and the quartz component's, a firing would go to a stopped route and be lost
 *   (camel-quartz only logs it at DEBUG, and Quartz counts it as done). A trigger this instance had
 *   acquired but not fired is released by the cluster's recovery and fired by another instance.</li>
 *   <li>Quartz's threads are daemons: a scheduler left behind never keeps the JVM alive.</li>
 * </ul>
 */
public final class QuartzSchedulerFactory implements SchedulerFactory {

    /** The Quartz scheduler name: the same on every instance, so that they form one cluster. */
    public static final String SCHEDULER_NAME = "device-bridge";
    /** The trigger (and job) group of the schedules: {@code quartz:bridge/<name>}. */
    public static final String GROUP = "bridge";

    private static final Logger LOG = LoggerFactory.getLogger(QuartzSchedulerFactory.class);
    private static final Object REPOSITORY = new Object();

    private final CamelContext context;
    private final List<Schedule> schedules;
    private final Properties properties;
    private final DataSource dataSource;
    private Scheduler scheduler;

    private QuartzSchedulerFactory(CamelContext context, List<Schedule> schedules, Properties properties, DataSource dataSource) {
        this.context = context;
        this.schedules = List.copyOf(schedules);
        this.properties = properties;
        this.dataSource = dataSource;
    }

    /** Triggers in memory: nothing shared with other instances. */
    public static QuartzSchedulerFactory inMemory(CamelContext context, List<Schedule> schedules, int threads, Duration misfireThreshold) {
        Properties p = common(threads, misfireThreshold);
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        return new QuartzSchedulerFactory(context, schedules, p, null);
    }

    /** Triggers in the ledger's PostgreSQL database, shared by every instance on it. */
    public static QuartzSchedulerFactory clustered(CamelContext context, List<Schedule> schedules, DataSource ledger, int threads,
                                                   Duration misfireThreshold, Duration checkinInterval) {
        Properties p = common(threads, misfireThreshold);
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(checkinInterval.toMillis()));
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        return new QuartzSchedulerFactory(context, schedules, p, ledger);
    }

    private static Properties common(int threads, Duration misfireThreshold) {
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, SCHEDULER_NAME);
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, StdSchedulerFactory.AUTO_GENERATE_INSTANCE_ID);
        p.setProperty(StdSchedulerFactory.PROP_SCHED_JMX_EXPORT, "false");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "schedule");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        // a firing later than this is a misfire, handled by the trigger's misfire instruction
        p.setProperty("org.quartz.jobStore.misfireThreshold", String.valueOf(misfireThreshold.toMillis()));
        return p;
    }

    @Override
    public synchronized Scheduler getScheduler() throws SchedulerException {
        if (scheduler == null || scheduler.isShutdown()) {
            scheduler = create();
        }
        return scheduler;
    }

    @Override
    public synchronized Scheduler getScheduler(String name) {
        return scheduler != null && SCHEDULER_NAME.equals(name) ? scheduler : null;
    }

    @Override
    public synchronized Collection<Scheduler> getAllSchedulers() {
        return scheduler == null ? List.of() : List.of(scheduler);
    }

    /**
     * Shuts the scheduler down, waiting for the firings that are running, when the CamelContext
     * starts stopping: to be added to the context's management strategy.
     */
    public EventNotifier shutdownWhenCamelStops() {
        EventNotifierSupport notifier = new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) throws SchedulerException {
                stopFiring(); // not shutdown(): that is the notifier's own (ServiceSupport) method
            }
        };
        notifier.setIgnoreExchangeEvents(true);
        notifier.setIgnoreRouteEvents(true);
        notifier.setIgnoreServiceEvents(true);
        notifier.setIgnoreStepEvents(true);
        return notifier;
    }

    private synchronized void stopFiring() throws SchedulerException {
        if (scheduler != null && !scheduler.isShutdown()) {
            LOG.info("schedules: the scheduler stops firing (running firings are completed)");
            scheduler.shutdown(true);
        }
    }

    private Scheduler create() throws SchedulerException {
        Properties p = new Properties();
        p.putAll(properties);
        if (dataSource != null) {
            // Quartz finds its connections by a name in a JVM-wide registry: one name per scheduler
            String name = "bridge-ledger-" + UUID.randomUUID();
            DBConnectionManager.getInstance().addConnectionProvider(name, new LedgerConnections(dataSource));
            p.setProperty("org.quartz.jobStore.dataSource", name);
        }
        Scheduler created;
        synchronized (REPOSITORY) {
            created = new StdSchedulerFactory(p).getScheduler();
            SchedulerRepository.getInstance().remove(SCHEDULER_NAME);
        }
        try {
            created.getListenerManager().addJobListener(new ThisCamelContext(context), GroupMatcher.jobGroupEquals(GROUP));
            removeStaleTriggers(created);
        } catch (SchedulerException | RuntimeException e) {
            created.shutdown(false);
            throw e;
        }
        return created;
    }

    /**
     * Removes the stored triggers of this group that no configured schedule matches (not
     * configured any more, or another cron expression, time zone or misfire instruction). Only a
     * persistent store has any before the routes start.
     */
    private void removeStaleTriggers(Scheduler created) throws SchedulerException {
        Map<String, Schedule> byName = schedules.stream().collect(Collectors.toMap(Schedule::name, Function.identity()));
        for (TriggerKey key : created.getTriggerKeys(GroupMatcher.triggerGroupEquals(GROUP))) {
            String stale = staleness(created.getTrigger(key), byName.get(key.getName()));
            if (stale != null) {
                LOG.info("schedule {}: {}: its stored trigger is removed", key.getName(), stale);
                created.unscheduleJob(key);
            }
        }
    }

    /** Why a stored trigger does not fit its schedule, or null when it does. */
    static String staleness(Trigger stored, Schedule schedule) {
        if (schedule == null) {
            return "no longer configured";
        }
        if (!(stored instanceof CronTrigger cron)) {
            return "not a cron trigger";
        }
        if (!cron.getCronExpression().equals(schedule.cron())) {
            return "cron expression changed from '" + cron.getCronExpression() + "'";
        }
        if (!cron.getTimeZone().getID().equals(TimeZone.getTimeZone(schedule.zone()).getID())) {
            return "time zone changed from " + cron.getTimeZone().getID();
        }
        if (cron.getMisfireInstruction() != schedule.misfire().quartzInstruction()) {
            return "misfire policy changed";
        }
        return null;
    }

    /** Connections from the ledger's pool; the pool is closed with the bridge, not by Quartz. */
    private record LedgerConnections(DataSource dataSource) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public void initialize() {
        }
    }

    /**
     * Points each firing at this bridge's CamelContext: camel-quartz looks the context up by the
     * name stored in the job's data, which in a clustered store is the name of the instance that
     * scheduled the job first.
     */
    private record ThisCamelContext(CamelContext context) implements JobListener {
        @Override
        public String getName() {
            return "bridge-camel-context";
        }

        @Override
        public void jobToBeExecuted(JobExecutionContext job) {
            job.getMergedJobDataMap().put(QuartzConstants.QUARTZ_CAMEL_CONTEXT_NAME, QuartzHelper.getQuartzContextName(context));
        }

        @Override
        public void jobExecutionVetoed(JobExecutionContext job) {
        }

        @Override
        public void jobWasExecuted(JobExecutionContext job, JobExecutionException e) {
        }
    }
}
