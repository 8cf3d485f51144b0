package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.devicebridge.access.AccessDialect;
import org.devicebridge.access.AccessTokens;
import org.devicebridge.access.GraphQlDocument;
import org.devicebridge.access.RestAccessDialect;
import org.devicebridge.access.YonomiAccessDialect;
import org.devicebridge.api.ApiGate;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.inbound.AccessWebhookAuth;
import org.devicebridge.inbound.BasicWebhookAuth;
import org.devicebridge.inbound.HmacWebhookAuth;
import org.devicebridge.cloud.WebhookSignature;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The access cloud's dialect, {@code bridge.access.dialect}: {@code rest} (the default) or
 * {@code yonomi} (GraphQL with OAuth2 client credentials), and its webhooks' authentication
 * (HMAC signature, or HTTP Basic). The flow, the ledger and the recovery are the same for both.
 */
final class AccessDialects {

    static final String KEY = "bridge.access.dialect";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AccessDialects.class);

    private AccessDialects() {
    }

    /** {@code rest} or {@code yonomi}. */
    static String name(Settings settings) {
        String name = settings.get(KEY, RestAccessDialect.NAME);
        if (!name.equals(RestAccessDialect.NAME) && !name.equals(YonomiAccessDialect.NAME)) {
            throw new BadConfigurationException(KEY, "must be 'rest' or 'yonomi', not '" + name + "'");
        }
        return name;
    }

    static boolean yonomi(Settings settings) {
        return name(settings).equals(YonomiAccessDialect.NAME);
    }

    static AccessDialect dialect(CamelContext context, Settings settings, CloudEndpoints clouds, CloudCall call, Redactor redactor,
                                 ObjectMapper mapper) {
        if (!yonomi(settings)) {
            return new RestAccessDialect(clouds.access().baseUrl(), clouds.access().secret(), call, mapper);
        }
        CloudEndpoints.Endpoint access = clouds.access();
        String tokenUrl = settings.optional("bridge.access.token-url").orElse(clouds.accessTokenUrl());
        if (tokenUrl == null) {
            throw new BadConfigurationException("bridge.access.token-url", "is required with bridge.access.dialect=yonomi");
        }
        CloudEndpoints.checkTransport("bridge.access.token-url", tokenUrl);
        String clientId = settings.optional("bridge.access.client-id").orElse(clouds.accessClientId());
        if (clientId == null) {
            throw new BadConfigurationException("bridge.access.client-id", "is required with bridge.access.dialect=yonomi");
        }
        String installationId = settings.optional("bridge.access.installation-id").orElse(clouds.accessInstallationId());
        if (installationId == null) {
            throw new BadConfigurationException("bridge.access.installation-id", "is required with bridge.access.dialect=yonomi");
        }
        String clientAuth = settings.required("bridge.access.token-client-auth");
        if (!clientAuth.equals("basic") && !clientAuth.equals("form")) {
            throw new BadConfigurationException("bridge.access.token-client-auth", "must be 'basic' or 'form', not '" + clientAuth + "'");
        }
        AccessTokens tokens = new AccessTokens(tokenUrl, clientId, access.secret(), settings.get("bridge.access.token-scope", null),
                clientAuth.equals("basic"), settings.duration("bridge.access.token-renew-before"), context, call,
                redactor, mapper, Clock.systemUTC());
        return new YonomiAccessDialect(access.baseUrl(),
                settings.required("bridge.access.installation-header"), installationId,
                GraphQlDocument.load("bridge.access.yonomi.upload-url-mutation",
                        settings.get("bridge.access.yonomi.upload-url-mutation", null), "/yonomi/request-upload-url.graphql",
                        List.of("deviceId")),
                GraphQlDocument.load("bridge.access.yonomi.action-events-query",
                        settings.get("bridge.access.yonomi.action-events-query", null), "/yonomi/action-events.graphql",
                        List.of("deviceId", "actionId")),
                tokens, call, mapper);
    }

    /** How the webhook receiver knows the cloud: the HMAC secret (rest), or the Basic user and password (yonomi). */
    static AccessWebhookAuth webhookAuth(Settings settings, CloudEndpoints clouds, ApiGate gate) {
        if (!yonomi(settings)) {
            return new HmacWebhookAuth(new WebhookSignature(clouds.accessWebhookSecret()), gate);
        }
        String user = settings.optional("bridge.access.webhook-user").orElse(clouds.accessWebhookUser());
        if (user == null && clouds.access().configured()) {
            LOG.warn("bridge.access.webhook-user is not set: access-cloud webhooks are refused (401); polling alone tracks actions");
        }
        return new BasicWebhookAuth(user, clouds.accessWebhookSecret(), gate);
    }
}
