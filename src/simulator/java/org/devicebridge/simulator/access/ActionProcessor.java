package org.devicebridge.simulator.access;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The "device" side of an action: after an accepted upload it announces {@code PENDING}, waits
 * the processing delay, validates the payload and ends the action {@code RESOLVED} (storing the
 * payload as the device's applied data first) or {@code REJECTED} with the first problem.
 */
final class ActionProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(ActionProcessor.class);

    private final ActionStore store;
    private final ActionJson json;
    private final WebhookSender webhooks;
    private final ScheduledExecutorService scheduler;
    private final Supplier<AccessCloudSettings> settings;
    private final PayloadValidator validator = new PayloadValidator();

    ActionProcessor(ActionStore store, ActionJson json, WebhookSender webhooks,
                    ScheduledExecutorService scheduler, Supplier<AccessCloudSettings> settings) {
        this.store = store;
        this.json = json;
        this.webhooks = webhooks;
        this.scheduler = scheduler;
        this.settings = settings;
    }

    /** Called once the action went {@code PENDING} with the uploaded bytes. */
    void uploaded(DeviceAction pending, byte[] payload) {
        AccessCloudSettings current = settings.get();
        announce(pending, current);
        try {
            scheduler.schedule(() -> process(pending, payload), current.processingDelay().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("simulator closing, action {} stays PENDING", pending.id());
        }
    }

    private void process(DeviceAction pending, byte[] payload) {
        PayloadValidator.Result result = validator.validate(payload);
        DeviceAction done;
        if (result.valid()) {
            store.apply(pending.deviceId(), result.credentials(), result.schedules(), Times.now());
            done = store.finish(pending.id(), ActionStatus.RESOLVED, null, Times.now());
        } else {
            done = store.finish(pending.id(), ActionStatus.REJECTED, result.reason(), Times.now());
        }
        announce(done, settings.get());
    }

    private void announce(DeviceAction action, AccessCloudSettings current) {
        webhooks.notify(json.action(action), Times.format(action.updatedAt()), current);
    }
}
