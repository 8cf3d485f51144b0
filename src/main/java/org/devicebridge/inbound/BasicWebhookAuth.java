package org.devicebridge.inbound;

import org.apache.camel.Exchange;
import org.devicebridge.api.ApiGate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Webhooks secured with HTTP Basic authentication (the Yonomi dialect): the platform first posts
 * without credentials; the receiver answers {@code 401} with {@code WWW-Authenticate: Basic}, and the
 * platform posts again with {@code Authorization: Basic base64(user:password)}. Only the configured
 * user and password are accepted, compared in constant time (user and password both, whichever is
 * wrong); without a configured password every post is refused.
 */
public class BasicWebhookAuth implements AccessWebhookAuth {

    public static final String REALM = "device-bridge access webhooks";
    private static final String SCHEME = "Basic ";
    private static final String CREDENTIALS_GIVEN = "bridge.webhookCredentialsGiven";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BasicWebhookAuth.class);

    private final byte[] expected;
    private final ApiGate gate;

    public BasicWebhookAuth(String user, String password, ApiGate gate) {
        this.expected = password == null || user == null ? null : (user + ":" + password).getBytes(StandardCharsets.UTF_8);
        this.gate = gate;
    }

    @Override
    public boolean isValid(Exchange exchange) {
        String header = exchange.getIn().getHeader("Authorization", String.class);
        exchange.setProperty(CREDENTIALS_GIVEN, header != null && !header.isBlank());
        if (expected == null || header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.substring(SCHEME.length()).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given, expected);
    }

    @Override
    public void refuse(Exchange exchange) {
        if (Boolean.TRUE.equals(exchange.getProperty(CREDENTIALS_GIVEN, Boolean.class))) {
            LOG.warn("access webhook refused: wrong or malformed Basic credentials");
        } else {
            LOG.debug("access webhook refused: no credentials; answered with the Basic challenge");
        }
        gate.refuse(exchange, 401, "authentication required (HTTP Basic)");
        exchange.getMessage().setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
    }
}
