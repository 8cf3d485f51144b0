package org.devicebridge;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.devicebridge.schedule.ScheduledBatches;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The firings of a bridge's schedules, as its CamelContext saw them: for each schedule route
 * ({@code schedule-<name>}), the scheduled fire time (camel-quartz's {@code scheduledFireTime}
 * header) of every exchange that completed or failed there.
 */
final class ScheduleFirings extends EventNotifierSupport {

    private final Map<String, List<Instant>> byRoute = new ConcurrentHashMap<>();

    static ScheduleFirings watch(CamelContext context) {
        ScheduleFirings firings = new ScheduleFirings();
        firings.setIgnoreCamelContextEvents(true);
        firings.setIgnoreRouteEvents(true);
        firings.setIgnoreServiceEvents(true);
        firings.setIgnoreStepEvents(true);
        context.getManagementStrategy().addEventNotifier(firings);
        firings.start();
        return firings;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        String route = exchange.getFromRouteId();
        Date time = exchange.getIn().getHeader(ScheduledBatches.SCHEDULED_FIRE_TIME, Date.class);
        if (route != null && route.startsWith("schedule-") && time != null) {
            byRoute.computeIfAbsent(route, r -> new CopyOnWriteArrayList<>()).add(time.toInstant());
        }
    }

    /** The scheduled fire times of the route's firings, in the order they ended. */
    List<Instant> of(String routeId) {
        return new ArrayList<>(byRoute.getOrDefault(routeId, List.of()));
    }
}
