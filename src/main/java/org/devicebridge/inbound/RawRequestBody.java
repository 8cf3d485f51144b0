package org.devicebridge.inbound;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.devicebridge.api.ApiException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The body of an HTTP request exactly as it was received, whatever its {@code Content-Type}, for a
 * signature over the raw bytes. The webhook route's {@code platform-http} endpoint has
 * {@code useBodyHandler=false}: with Vert.x's body handler, a form body
 * ({@code application/x-www-form-urlencoded}, {@code multipart/form-data}) would be parsed into a
 * map and header-like fields, and the bytes it was signed over would be lost (a multipart body is
 * not kept at all). Without it the message body is the paused {@link HttpServerRequest}, read here.
 * <p>
 * A body over {@code maxBytes} is refused ({@code 413}) without being kept; a body that does not
 * arrive in full within {@code timeout} is refused with {@code 408}.
 */
public class RawRequestBody {

    private final int maxBytes;
    private final Duration timeout;

    public RawRequestBody(int maxBytes, Duration timeout) {
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    /** Replaces the message body by the request's raw bytes (empty when there are none). */
    public void read(Exchange exchange) throws InterruptedException {
        Message in = exchange.getIn();
        Object body = in.getBody();
        if (body instanceof HttpServerRequest request) {
            in.setBody(readFully(request));
        } else if (!(body instanceof byte[])) {
            byte[] bytes = body == null ? null : in.getBody(byte[].class); // another HTTP server's body, as bytes
            in.setBody(bytes == null ? new byte[0] : bytes);
        }
    }

    private byte[] readFully(HttpServerRequest request) throws InterruptedException {
        CompletableFuture<Buffer> received = new CompletableFuture<>();
        Buffer collected = Buffer.buffer();
        request.exceptionHandler(received::completeExceptionally);
        request.handler(chunk -> {
            if (received.isDone()) {
                return; // too large: the rest is not kept
            }
            if (collected.length() + chunk.length() > maxBytes) {
                received.completeExceptionally(new ApiException(413, "Payload Too Large: the body may have at most "
                        + maxBytes + " bytes"));
            } else {
                collected.appendBuffer(chunk);
            }
        });
        request.endHandler(end -> received.complete(collected));
        request.resume();
        try {
            return received.get(timeout.toMillis(), TimeUnit.MILLISECONDS).getBytes();
        } catch (TimeoutException e) {
            throw new ApiException(408, "Request Timeout: the body did not arrive in full within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException refused) {
                throw refused;
            }
            throw new ApiException(400, "body: could not be read (" + e.getCause().getClass().getSimpleName() + ")");
        }
    }
}
