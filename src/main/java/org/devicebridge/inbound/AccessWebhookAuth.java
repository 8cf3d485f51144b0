package org.devicebridge.inbound;

import org.apache.camel.Exchange;

/**
 * How the access webhook receiver ({@code routes/access-webhook.yaml}) tells the cloud's posts
 * from anyone else's, per dialect: an HMAC signature of the raw body ({@link HmacWebhookAuth}, the
 * REST dialect) or HTTP Basic credentials with a challenge ({@link BasicWebhookAuth}, Yonomi).
 */
public interface AccessWebhookAuth {

    /** Whether the request (raw body and headers, before the gate drops them) comes from the cloud. */
    boolean isValid(Exchange exchange);

    /** Answers a request that is not: 401, and whatever the flavour asks the sender to do; logs it (never a secret). */
    void refuse(Exchange exchange);
}
