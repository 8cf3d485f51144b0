package org.devicebridge.cloud;

import org.apache.camel.Body;
import org.apache.camel.Header;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * HMAC-SHA256 signatures of webhook bodies: {@code X-Signature: sha256=<hex>} over the exact raw
 * bytes, keyed with a shared secret. Verification compares in constant time.
 */
public class WebhookSignature {

    public static final String HEADER = "X-Signature";
    private static final String PREFIX = "sha256=";

    private final byte[] secret;

    public WebhookSignature(String secret) {
        this.secret = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code sha256=<hex>} for the body. */
    public String sign(byte[] body) {
        return PREFIX + HexFormat.of().formatHex(hmac(body));
    }

    /** True only when a secret is configured and the header is a valid signature of exactly these bytes. */
    public boolean isValid(@Body byte[] body, @Header(HEADER) String header) {
        if (secret.length == 0 || header == null || !header.startsWith(PREFIX) || body == null) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(PREFIX.length()).trim().toLowerCase());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(hmac(body), given);
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.length == 0 ? new byte[1] : secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
