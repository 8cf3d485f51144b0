package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.devicebridge.api.ApiGate;
import org.devicebridge.api.DeviceTokens;
import org.devicebridge.api.FallbackAnswers;
import org.devicebridge.api.StatusApi;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.inbound.AccessWebhookAuth;
import org.devicebridge.inbound.RawRequestBody;
import org.devicebridge.inbox.CommandInbox;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.WorkQueue;
import org.devicebridge.results.CommandView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Wires the HTTP edge (routes/status-api.yaml, routes/access-webhook.yaml): the API's door
 * ({@code apiGate}: the operator token {@code bridge.api.token}, the device token
 * {@code bridge.api.device-token} and the per-device tokens, request ids, envelopes), the
 * {@code statusApi}, the pull-model {@code commandInbox}, and the access cloud's webhook receiver
 * ({@code rawRequestBody}, {@code accessWebhookAuth}). Stand-alone, the API port's own 404 / 405 /
 * 500 answers too ({@link FallbackAnswers}).
 */
final class StatusApiConfiguration extends ConcernConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StatusApiConfiguration.class);
    /** A webhook body is read whole before its signature is checked: at most this many bytes (413 above) ... */
    private static final int WEBHOOK_MAX_BODY = 1024 * 1024;
    /** ... arriving within this time (408 otherwise). */
    private static final Duration WEBHOOK_BODY_TIMEOUT = Duration.ofSeconds(30);

    @BeanInject("workQueue")
    WorkQueue workQueue;
    @BeanInject("commandStore")
    CommandStore commandStore;
    @BeanInject("ledgerReads")
    LedgerReads reads;
    @BeanInject("transitions")
    LedgerTransitions transitions;
    @BeanInject("intake")
    ActionIntake intake;
    @BeanInject("commandView")
    CommandView view;
    @BeanInject("cloudEndpoints")
    CloudEndpoints clouds;
    @BeanInject("redactor")
    Redactor redactor;
    @BeanInject("jsonMapper")
    ObjectMapper mapper;

    /** Whether the API port is the bridge's own (not an application's). */
    private final boolean standAlone;

    StatusApiConfiguration(boolean standAlone) {
        this.standAlone = standAlone;
    }

    @BindToRegistry("apiGate")
    public ApiGate apiGate() {
        return once("apiGate", () -> {
            Settings settings = settings();
            String apiToken = settings.secret("bridge.api.token").orElse(null);
            String deviceToken = settings.secret("bridge.api.device-token").orElse(null);
            redactor.addSecret(apiToken);
            redactor.addSecret(deviceToken);
            if (apiToken == null) {
                LOG.warn("bridge.api.token is not set: the status API answers 401 to every call");
            }
            DeviceTokens deviceTokens = settings.optional(DeviceTokens.KEY)
                    .map(file -> DeviceTokens.load(Path.of(file), Stream.of(apiToken, deviceToken)
                            .filter(Objects::nonNull).collect(Collectors.toSet()), redactor::addSecret))
                    .orElse(DeviceTokens.none());
            if (deviceTokens.size() > 0) {
                LOG.info("{}: tokens of {} devices", DeviceTokens.KEY, deviceTokens.size());
            }
            return new ApiGate(apiToken, deviceToken, deviceTokens, mapper, redactor);
        });
    }

    @BindToRegistry("commandInbox")
    public CommandInbox commandInbox() {
        return once("commandInbox", () -> new CommandInbox(workQueue, reads, transitions));
    }

    @BindToRegistry("statusApi")
    public StatusApi statusApi() {
        return new StatusApi(commandStore, reads, transitions, commandInbox(), intake, view, apiGate(), mapper);
    }

    @BindToRegistry("rawRequestBody")
    public RawRequestBody rawRequestBody() {
        return new RawRequestBody(WEBHOOK_MAX_BODY, WEBHOOK_BODY_TIMEOUT);
    }

    @BindToRegistry("accessWebhookAuth")
    public AccessWebhookAuth accessWebhookAuth() {
        return AccessDialects.webhookAuth(settings(), clouds, apiGate());
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        if (standAlone) {
            FallbackAnswers.installOnStart(context, apiGate(), redactor);   // 404 / 405 / 500 of the API port: envelope, X-Request-ID
        }
    }
}
