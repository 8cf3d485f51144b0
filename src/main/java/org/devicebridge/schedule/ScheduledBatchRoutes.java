package org.devicebridge.schedule;

import org.apache.camel.builder.RouteBuilder;

import java.util.List;
import java.util.TimeZone;

/**
 * One route per schedule, made from the route template {@code scheduled-batch}
 * (routes/templates/scheduled-batch.yaml), route id {@code schedule-<name>}.
 * <p>
 * Bound in the registry, where Camel Main collects it with the YAML routes; Camel Main adds every
 * builder's templated routes after all routes and templates are loaded, so the template from YAML
 * is there when these are made.
 */
public class ScheduledBatchRoutes extends RouteBuilder {

    /** The route template's id. */
    public static final String TEMPLATE = "scheduled-batch";

    private final List<Schedule> schedules;

    public ScheduledBatchRoutes(List<Schedule> schedules) {
        this.schedules = List.copyOf(schedules);
    }

    /** The route id of a schedule's route. */
    public static String routeId(String scheduleName) {
        return "schedule-" + scheduleName;
    }

    @Override
    public void configure() {
        for (Schedule s : schedules) {
            templatedRoute(TEMPLATE)
                    .routeId(routeId(s.name()))
                    .parameter("name", s.name())
                    .parameter("cron", s.cron())
                    // the id Quartz reads back (java.util.TimeZone): an offset such as +02:00 becomes GMT+02:00
                    .parameter("timezone", TimeZone.getTimeZone(s.zone()).getID())
                    .parameter("source", s.source().toString())
                    .parameter("misfire", String.valueOf(s.misfire().quartzInstruction()));
        }
    }
}
