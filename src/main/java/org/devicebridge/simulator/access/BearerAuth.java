package org.devicebridge.simulator.access;

import com.sun.net.httpserver.HttpExchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/** Checks {@code Authorization: Bearer <api key>}; never echoes what the client sent. */
final class BearerAuth {

    private static final String SCHEME = "Bearer ";

    private BearerAuth() {
    }

    static void check(HttpExchange exchange, String apiKey) throws AccessApiException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.isBlank()) {
            throw new AccessApiException(401, "invalid_auth",
                    "missing Authorization header (expected: Bearer <api key>)", Map.of());
        }
        if (header.length() <= SCHEME.length() || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new AccessApiException(401, "invalid_auth",
                    "malformed Authorization header (expected: Bearer <api key>)", Map.of());
        }
        byte[] given = header.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, apiKey.getBytes(StandardCharsets.UTF_8))) {
            throw new AccessApiException(401, "invalid_apikey", "the API key is invalid", Map.of());
        }
    }
}
