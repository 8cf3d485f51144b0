package org.devicebridge.schedule;

import org.apache.camel.spi.RouteTemplateParameterSource;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;

/**
 * One route per schedule, made from the route template {@code scheduled-batch}
 * (routes/templates/scheduled-batch.yaml), route id {@code schedule-<name>}: the schedules as a
 * {@link RouteTemplateParameterSource}, the source Camel makes routes from templates with when it
 * initialises (the same one Camel Main makes of {@code camel.route-template[<id>].*}; the schedules
 * keep their own keys, docs/scheduling.md says why). Each route's parameters are the checked
 * schedule's, in the forms the template hands Quartz.
 */
public class ScheduledBatchRoutes implements RouteTemplateParameterSource {

    /** The route template's id. */
    public static final String TEMPLATE = "scheduled-batch";

    private final Map<String, Schedule> byRouteId = new LinkedHashMap<>();

    public ScheduledBatchRoutes(List<Schedule> schedules) {
        schedules.forEach(s -> byRouteId.put(routeId(s.name()), s));
    }

    /** The route id of a schedule's route. */
    public static String routeId(String scheduleName) {
        return "schedule-" + scheduleName;
    }

    @Override
    public Set<String> routeIds() {
        return byRouteId.keySet();
    }

    @Override
    public Map<String, Object> parameters(String routeId) {
        Schedule s = byRouteId.get(routeId);
        Map<String, Object> p = new HashMap<>();
        p.put(TEMPLATE_ID, TEMPLATE);
        p.put("name", s.name());
        p.put("cron", s.cron());
        // the id Quartz reads back (java.util.TimeZone): an offset such as +02:00 becomes GMT+02:00
        p.put("timezone", TimeZone.getTimeZone(s.zone()).getID());
        p.put("source", s.source().toString());
        p.put("misfire", String.valueOf(s.misfire().quartzInstruction()));
        return p;
    }
}
