package org.devicebridge.simulator.access;

import com.sun.net.httpserver.HttpExchange;
import org.devicebridge.simulator.SimulatorHttp;

import java.util.Map;

/** Checks {@code Authorization: Bearer <api key>}; never echoes what the client sent. */
final class BearerAuth {

    private BearerAuth() {
    }

    static void check(HttpExchange exchange, String apiKey) throws AccessApiException {
        switch (SimulatorHttp.checkBearer(exchange, apiKey)) {
            case MISSING -> throw new AccessApiException(401, "invalid_auth",
                    "missing Authorization header (expected: Bearer <api key>)", Map.of());
            case MALFORMED -> throw new AccessApiException(401, "invalid_auth",
                    "malformed Authorization header (expected: Bearer <api key>)", Map.of());
            case WRONG -> throw new AccessApiException(401, "invalid_apikey", "the API key is invalid", Map.of());
            case VALID -> {
                // authenticated
            }
        }
    }
}
