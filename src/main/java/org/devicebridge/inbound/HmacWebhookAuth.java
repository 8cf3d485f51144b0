package org.devicebridge.inbound;

import org.devicebridge.cloud.WebhookSignature;

import org.apache.camel.Exchange;
import org.devicebridge.api.ApiGate;

/** The REST dialect's webhooks: {@code X-Signature: sha256=<hex>} over the raw body ({@link WebhookSignature}). */
public class HmacWebhookAuth implements AccessWebhookAuth {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HmacWebhookAuth.class);

    private final WebhookSignature signature;
    private final ApiGate gate;

    public HmacWebhookAuth(WebhookSignature signature, ApiGate gate) {
        this.signature = signature;
        this.gate = gate;
    }

    @Override
    public boolean isValid(Exchange exchange) {
        return signature.isValid(exchange.getIn().getBody(byte[].class), exchange.getIn().getHeader(WebhookSignature.HEADER, String.class));
    }

    @Override
    public void refuse(Exchange exchange) {
        LOG.warn("access webhook refused: missing or invalid X-Signature");
        gate.refuse(exchange, 401, "missing or invalid X-Signature");
    }
}
