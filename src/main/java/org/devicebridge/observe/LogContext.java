package org.devicebridge.observe;

import org.devicebridge.ledger.CommandRecord;
import org.slf4j.MDC;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a log line is about, in the logging MDC: the request ({@value #REQUEST_ID}), the command
 * ({@value #COMMAND_ID}) and its device ({@value #DEVICE}). The JSON log lines carry them as fields
 * (docs/logging.md); the text lines name them in their message as before.
 * <p>
 * Two ways in: a scope around a piece of work ({@code try (LogContext ignored = LogContext.command(c)) {...}}),
 * which puts the keys back as they were when it closes; and, for an engine step that runs on a step
 * worker, {@link #enterStep}, called by the step's route first (the bean {@code stepLogContext}): the
 * keys stay for the whole step, and the worker clears them when the step ends
 * ({@link org.devicebridge.cloud.StepWorkers}).
 */
public final class LogContext implements AutoCloseable {

    public static final String REQUEST_ID = "request_id";
    public static final String COMMAND_ID = "command_id";
    public static final String DEVICE = "device";
    private static final List<String> KEYS = List.of(REQUEST_ID, COMMAND_ID, DEVICE);

    private final Map<String, String> before = new LinkedHashMap<>();

    private LogContext(String requestId, String commandId, String device) {
        for (String key : KEYS) {
            before.put(key, MDC.get(key));
        }
        set(requestId, commandId, device);
    }

    /** The lines until {@link #close()} are about this request. */
    public static LogContext request(String requestId) {
        return new LogContext(requestId, null, null);
    }

    /** The lines until {@link #close()} are about this command (and its request and device). */
    public static LogContext command(CommandRecord c) {
        return new LogContext(c.requestId(), c.id(), c.device());
    }

    /**
     * An engine step's lines, from here on, are about the command it carries, or, for a step over
     * several commands (one bulk or capability call), about their request when they share one. Not
     * a scope: the step's worker clears the keys when the step ends ({@link #clear()}).
     */
    public static void enterStep(Object body) {
        if (body instanceof CommandRecord c) {
            set(c.requestId(), c.id(), c.device());
        } else if (body instanceof Collection<?> commands) {
            List<String> requests = commands.stream().filter(CommandRecord.class::isInstance).map(CommandRecord.class::cast)
                    .map(CommandRecord::requestId).distinct().toList();
            set(requests.size() == 1 ? requests.get(0) : null, null, null);
        }
    }

    /** Clears the keys, e.g. when a pooled thread ends a piece of work. */
    public static void clear() {
        KEYS.forEach(MDC::remove);
    }

    private static void set(String requestId, String commandId, String device) {
        put(REQUEST_ID, requestId);
        put(COMMAND_ID, commandId);
        put(DEVICE, device);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    @Override
    public void close() {
        before.forEach(LogContext::put);
    }
}
