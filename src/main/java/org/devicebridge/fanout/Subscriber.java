package org.devicebridge.fanout;

import org.devicebridge.cloud.WebhookSignature;

/**
 * One configured receiver of the bridge's events.
 *
 * @param name      its key in {@code bridge.webhooks.subscribers} and in the ledger
 * @param url       where events are POSTed (https, or http on loopback)
 * @param signature signs each body with the subscriber's own secret ({@code X-Signature: sha256=<hex>})
 */
public record Subscriber(String name, String url, WebhookSignature signature) {

    @Override
    public String toString() {
        return "Subscriber[" + name + "]"; // never the URL (it may carry a token) nor the secret
    }
}
