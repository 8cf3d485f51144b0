package org.devicebridge.simulator.access;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.devicebridge.simulator.FaultInjector;
import org.devicebridge.simulator.SimulatorHttp;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The pre-authorised upload URLs, {@code PUT {prefix}/{token}}: no {@code Authorization}
 * header allowed, {@code Content-Type: application/json}, one accepted upload per action,
 * {@code 403} once expired, {@code 200} with an empty body when accepted.
 */
final class UploadHandler implements HttpHandler {

    private final String prefix;
    private final ActionStore store;
    private final BiConsumer<DeviceAction, byte[]> processor;
    private final FaultInjector faults;
    private final IntSupplier retryAfterSeconds;
    private final Runnable callCounter;
    private final AtomicLong withAuthorization = new AtomicLong();
    /** Uploads held for a test ({@link AccessCloudSimulator#holdUploads}). */
    final CallHold hold = new CallHold();

    UploadHandler(String prefix, ActionStore store, ActionProcessor processor, FaultInjector faults,
                  Supplier<AccessCloudSettings> settings, Runnable callCounter) {
        this(prefix, store, processor::uploaded, faults, () -> settings.get().retryAfterSeconds(), callCounter);
    }

    /** @param processor what the device does with an accepted upload (the action is then {@code PENDING}) */
    UploadHandler(String prefix, ActionStore store, BiConsumer<DeviceAction, byte[]> processor, FaultInjector faults,
                  IntSupplier retryAfterSeconds, Runnable callCounter) {
        this.prefix = prefix;
        this.store = store;
        this.processor = processor;
        this.faults = faults;
        this.retryAfterSeconds = retryAfterSeconds;
        this.callCounter = callCounter;
    }

    /** Uploads refused because they carried an {@code Authorization} header. */
    long uploadsWithAuthorizationHeader() {
        return withAuthorization.get();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        callCounter.run();
        byte[] body = SimulatorHttp.readBody(exchange);
        hold.await();
        try {
            upload(exchange, body);
        } catch (AccessApiException e) {
            e.send(exchange);
        }
    }

    private void upload(HttpExchange exchange, byte[] body) throws AccessApiException, IOException {
        String rawPath = SimulatorHttp.pathBelow(exchange, prefix);
        if (rawPath.length() < 2 || rawPath.indexOf('/', 1) >= 0) {
            throw AccessApiException.unrecognized(exchange.getRequestURI().getRawPath());
        }
        String token = SimulatorHttp.decodeSegment(rawPath.substring(1));
        SimulatorHttp.requireMethod(exchange, "PUT", AccessApiException::methodNotSupported);
        if (exchange.getRequestHeaders().containsKey("Authorization")) {
            withAuthorization.incrementAndGet();
            throw new AccessApiException(400, "bad_request", "the upload URL is pre-authorised: "
                    + "send no Authorization header (credentials must never go to the upload host)", Map.of());
        }
        faults.check(status -> AccessApiException.injected(status, retryAfterSeconds.getAsInt()));
        if (!SimulatorHttp.hasJsonContentType(exchange)) {
            throw AccessApiException.validation("Content-Type", "must be application/json");
        }
        ActionStore.UploadOutcome outcome = store.acceptUpload(token, Times.now());
        switch (outcome.result()) {
            case UNKNOWN_TOKEN -> throw AccessApiException.notFound("unknown upload URL");
            case EXPIRED -> throw new AccessApiException(403, "access_denied", "the upload URL expired at "
                    + Times.format(outcome.action().uploadUrlExpiresAt()) + "; create a new action", Map.of());
            case ALREADY_UPLOADED -> throw new AccessApiException(409, "conflict",
                    "data was already uploaded for this action", Map.of());
            case ACCEPTED -> {
                processor.accept(outcome.action(), body);
                if (faults.garbles(0)) {
                    SimulatorHttp.sendGarbled(exchange, 200, null); // received all the same
                } else {
                    SimulatorHttp.sendEmpty(exchange, 200);
                }
            }
        }
    }
}
