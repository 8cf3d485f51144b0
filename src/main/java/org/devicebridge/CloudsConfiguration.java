package org.devicebridge;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BindToRegistry;
import org.devicebridge.cloud.BackoffSchedule;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.Redactor;

/**
 * Wires the clouds: which are driven for real and which simulated ({@code cloudChoice}, failing
 * closed), the built-in simulator when one is, each cloud's endpoint and secrets
 * ({@code cloudEndpoints}), and what every call to them shares: the {@code redactor} (which knows
 * the secrets from here on), the {@code jsonMapper}, the {@code cloudCall} and the {@code backoff}
 * ({@code bridge.retry.*}, {@code bridge.poll.*}). The first concern {@link BridgeConfiguration} runs.
 */
final class CloudsConfiguration extends ConcernConfiguration {

    /** What the bridge opened so far: the simulator joins it. */
    private final OpenedResources opened;

    CloudsConfiguration(OpenedResources opened) {
        this.opened = opened;
    }

    @BindToRegistry("cloudChoice")
    public CloudChoice cloudChoice() {
        return once("cloudChoice", () -> CloudChoice.of(settings()));
    }

    @BindToRegistry("cloudEndpoints")
    public CloudEndpoints cloudEndpoints() {
        return once("cloudEndpoints", () -> CloudEndpoints.resolve(settings(), cloudChoice(), simulator()));
    }

    @BindToRegistry("redactor")
    public Redactor redactor() {
        return once("redactor", () -> {
            Redactor redactor = new Redactor();
            CloudEndpoints clouds = cloudEndpoints();
            redactor.addSecret(clouds.access().secret());
            redactor.addSecret(clouds.accessWebhookSecret());
            redactor.addSecret(clouds.network().secret());
            redactor.addSecret(clouds.home().secret());
            return redactor;
        });
    }

    @BindToRegistry("jsonMapper")
    public ObjectMapper jsonMapper() {
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    @BindToRegistry("cloudCall")
    public CloudCall cloudCall() {
        return new CloudCall(redactor());
    }

    @BindToRegistry("backoff")
    public BackoffSchedule backoff() {
        Settings settings = settings();
        return new BackoffSchedule(
                settings.duration("bridge.retry.initial-delay"),
                settings.duration("bridge.retry.max-delay"),
                settings.integer("bridge.retry.max-attempts", 1, Integer.MAX_VALUE),
                settings.duration("bridge.poll.initial-interval"),
                settings.duration("bridge.poll.max-interval"));
    }

    /** The built-in simulator, started when a cloud is simulated (and closed with the bridge); else null. */
    private BuiltInSimulator simulator() {
        return once("simulator", () -> {
            if (!cloudChoice().anySimulated()) {
                return null;
            }
            BuiltInSimulator simulator = BuiltInSimulator.start(settings(), cloudChoice());
            opened.closeOnStop("simulator", simulator);
            return simulator;
        });
    }
}
