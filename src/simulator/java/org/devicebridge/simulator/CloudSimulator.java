package org.devicebridge.simulator;

import com.sun.net.httpserver.HttpHandler;

import java.util.Map;

/**
 * One simulated device cloud that can be mounted on a {@link SimulatorServer}.
 *
 * <p>A cloud owns one or more path prefixes on the shared server (for example {@code /access}
 * and {@code /uploads}). The server gives every request a request id (see
 * {@link SimulatorHttp#requestId}) before handing it to the cloud's handler, closes the
 * exchange afterwards, and calls {@link #close()} when it shuts down.
 */
public interface CloudSimulator extends AutoCloseable {

    /**
     * The handlers of this cloud by path prefix. A prefix starts with {@code /}, has no
     * trailing slash and receives the prefix itself and everything below {@code prefix + "/"}.
     *
     * @return prefix to handler, never empty
     */
    Map<String, HttpHandler> handlers();

    /** Stops the cloud's own threads (schedulers, webhook senders); must not throw. */
    @Override
    void close();
}
