package org.devicebridge.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answers of {@code GET /observe/health/ready} and {@code GET /observe/health/live} while the
 * bridge is ready (alive), kept in memory as bytes: made again after each background refresh of
 * the checks ({@link HealthRefresher}) and once the context has fully started, sent by handlers
 * ahead of Camel's on the management port without running a check. The bodies are small: the
 * status and each check's status, Camel's consumer checks (one per route) folded into one
 * {@code consumers} entry (any that is not up named on its own).
 * <p>
 * Camel's own handler answers instead, with every check run and described in full: a call with
 * any query parameter ({@code ?data=true}, {@code ?exposureLevel=}), and every call while the
 * bridge is not ready (not alive) (no answer kept: the last refresh found a check down, the
 * context is stopping, routes were removed), so a {@code 503} always tells why and a recovery
 * shows on the next call.
 */
public final class ProbeAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeAnswers.class);
    private static final String CONSUMER = "consumer:";
    private static final JsonFactory JSON = new JsonFactory();

    private final CamelContext context;
    private volatile byte[] ready;
    private volatile byte[] live;

    ProbeAnswers(CamelContext context) {
        this.context = context;
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext stopping) {
                forget();
            }

            @Override
            public void onRoutesRemove(Collection<org.apache.camel.Route> routes) {
                forget();
            }
        });
    }

    /** Runs the readiness and the liveness checks (the bridge's answers from memory) and keeps each answer whose checks are all up. */
    void update() {
        if (!context.getStatus().isStarted()) {
            forget();
            return;
        }
        Collection<HealthCheck.Result> readiness = HealthCheckHelper.invokeReadiness(context);
        ready = HealthCheckHelper.isResultsUp(readiness, true) ? body(readiness) : null;
        Collection<HealthCheck.Result> liveness = HealthCheckHelper.invokeLiveness(context);
        live = HealthCheckHelper.isResultsUp(liveness, false) ? body(liveness) : null;
    }

    /** Until the next {@link #update}, Camel's handler answers. */
    void forget() {
        ready = null;
        live = null;
    }

    /** The kept readiness answer's body, or null while Camel's handler answers. */
    byte[] body() {
        return ready;
    }

    /** {@code {"status":"UP","checks":[{"name":..,"status":..},..]}} with the consumer checks folded. */
    static byte[] body(Collection<HealthCheck.Result> results) {
        Map<String, String> checks = new TreeMap<>();
        int consumers = 0;
        boolean consumersUp = true;
        for (HealthCheck.Result r : results) {
            String id = r.getCheck().getId();
            if (id.startsWith(CONSUMER)) {
                consumers++;
                consumersUp &= r.getState() == HealthCheck.State.UP;
                if (r.getState() != HealthCheck.State.UP) {
                    checks.put(id, r.getState().name());
                }
            } else {
                checks.put(id, r.getState().name());
            }
        }
        if (consumers > 0) {
            checks.put("consumers", consumersUp ? HealthCheck.State.UP.name() : HealthCheck.State.DOWN.name());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", HealthCheckHelper.isResultsUp(results, true) ? "UP" : "DOWN");
            g.writeArrayFieldStart("checks");
            for (Map.Entry<String, String> c : checks.entrySet()) {
                g.writeStartObject();
                g.writeStringField("name", c.getKey());
                g.writeStringField("status", c.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Puts the handlers ahead of Camel's readiness and liveness handlers on the management port;
     * nothing when the context has no management server (an embedding application's own set-up).
     */
    void install() {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null || !server.isHealthCheckEnabled() || server.getRouter() == null) {
            LOG.debug("no management server with health checks: readiness is answered by whatever serves it");
            return;
        }
        server.getRouter().route(HttpMethod.GET, server.getHealthPath() + "/ready").order(-1).handler(ctx -> answer(ctx, ready));
        server.getRouter().route(HttpMethod.GET, server.getHealthPath() + "/live").order(-1).handler(ctx -> answer(ctx, live));
    }

    private static void answer(RoutingContext ctx, byte[] body) {
        if (body == null || !ctx.request().params().isEmpty()) {
            ctx.next();   // Camel's handler: every check run, in full
            return;
        }
        ctx.response().setStatusCode(200).putHeader("content-type", "application/json").end(Buffer.buffer(body));
    }
}
