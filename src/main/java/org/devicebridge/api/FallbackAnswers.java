package org.devicebridge.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.devicebridge.cloud.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers of the API port that no route gives, in the API's form: a path nothing serves
 * ({@code 404}), a method its path does not serve ({@code 405}), and a request that failed outside a
 * route ({@code 500}, e.g. while its answer was written). Vert.x gives these itself, after every
 * route of the port was tried: an HTML page or an empty body, without {@code X-Request-ID}. Here
 * they get the error envelope of the API conventions and a request id, like every answer of the routes.
 * <p>
 * They are error handlers of the server's root router: Vert.x consults the router a request came
 * in on, not the sub-router that {@code platform-http} adds its routes to (whose error handlers
 * are never called), so they are installed on the router that is the HTTP server's request
 * handler, once the server has started. Nothing else of the server is changed.
 */
public final class FallbackAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(FallbackAnswers.class);
    private static final int MAX_PATH_SHOWN = 200;

    private final ApiGate gate;
    private final Redactor redactor;

    private FallbackAnswers(ApiGate gate, Redactor redactor) {
        this.gate = gate;
        this.redactor = redactor;
    }

    /** Installs the answers on the main HTTP server of the context as soon as it has started. */
    public static void installOnStart(CamelContext context, ApiGate gate, Redactor redactor) throws Exception {
        FallbackAnswers answers = new FallbackAnswers(gate, redactor);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the HTTP server may not listen yet: see onCamelContextFullyStarted
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                answers.install(started);
            }
        });
    }

    private void install(CamelContext context) {
        for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            if (!router.isMainServer()) {
                continue; // the management port (health, metrics) keeps Camel's own answers
            }
            Handler<HttpServerRequest> root = router.getServer() == null || router.getServer().getServer() == null ? null
                    : router.getServer().getServer().requestHandler();
            if (root instanceof Router rootRouter) {
                for (int status = 400; status < 600; status++) {
                    int code = status;
                    rootRouter.errorHandler(code, ctx -> answer(ctx, code));
                }
                LOG.debug("fallback answers installed on the HTTP server of port {}", router.getServer().getPort());
            } else {
                LOG.warn("the HTTP server's request handler is no Vert.x router: unknown paths and methods are answered by Vert.x");
            }
        }
    }

    private void answer(RoutingContext ctx, int status) {
        HttpServerResponse response = ctx.response();
        if (response.ended()) {
            return;
        }
        if (response.headWritten()) {
            response.reset(); // half an answer is out already: nothing valid can follow
            return;
        }
        HttpServerRequest request = ctx.request();
        String method = request.method().name();
        String path = shown(request.path());
        String requestId = gate.newRequestId();
        String message = switch (status) {
            case 404 -> "Not Found: nothing is served at " + path;
            case 405 -> "Method Not Allowed: " + method + " is not served at " + path;
            case 500 -> ApiGate.internalError(requestId);
            default -> HttpResponseStatus.valueOf(status).reasonPhrase();
        };
        if (status >= 500) {
            LOG.error("api {} {}: request id {}: {}", method, path, requestId, redactor.text(String.valueOf(ctx.failure())));
        }
        response.headers().clear(); // nothing a failed route may have put there
        response.setStatusCode(status)
                .putHeader("X-Request-ID", requestId)
                .putHeader("Content-Type", "application/json")
                .end(gate.errorEnvelope(status, status == 404 ? "unrecognized_request" : ApiGate.errorType(status, java.util.List.of()),
                        message, java.util.List.of(), requestId));
        LOG.info("api {} {} -> {} (request id {})", method, path, status, requestId);
    }

    private static String shown(String path) {
        if (path == null) {
            return "";
        }
        return path.length() <= MAX_PATH_SHOWN ? path : path.substring(0, MAX_PATH_SHOWN) + "…";
    }
}
