package org.devicebridge.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.CloudResponse;
import org.devicebridge.cloud.LenientJson;
import org.devicebridge.cloud.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * OAuth2 client-credentials access tokens of one client: fetched from the token endpoint through
 * the bridge's own HTTP route ({@code direct:cloud-http}: its timeouts, its pool), cached, renewed
 * {@code renewBefore} ahead of their expiry, and renewed at once when the cloud refuses one
 * ({@link #renew}). One fetch at a time: callers that find no valid token wait for it and share it.
 * <p>
 * The client secret and every token are registered with the {@link Redactor}: they never appear in
 * a log line, the ledger or an answer. The client authenticates with HTTP Basic
 * ({@code client_secret_basic}) or with form fields ({@code client_secret_post}).
 * <p>
 * Why not camel-http's own OAuth2 support ({@code oauth2ClientId}, {@code oauth2TokenEndpoint}):
 * it puts the token on every request of the endpoint it is configured on (the pre-authorised
 * upload URL must carry none), keeps its cache private (a token the cloud refuses with 401 cannot
 * be dropped before its expiry), and a refused token request ends as an I/O error without its
 * status, so a wrong secret could not be told from a cloud that is down.
 */
public class AccessTokens {

    /** Lifetime assumed for a token whose answer names none. */
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(AccessTokens.class);

    private final String tokenUrl;
    private final String clientId;
    private final String clientSecret;
    private final String scope;
    private final boolean basicAuthentication;
    private final Duration renewBefore;
    private final CamelContext context;
    private final CloudCall call;
    private final Redactor redactor;
    private final ObjectMapper mapper;
    private final Clock clock;
    private volatile Token current;
    /** The last two tokens issued (masked by the redactor), newest first; guarded by {@code this}. */
    private String latest;
    private String retired;
    private volatile ProducerTemplate template;

    private record Token(String value, Instant renewAt) {
    }

    /** Why no token could be had, as the answer the call it was for would have given. */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient CloudResponse answer;

        Unavailable(CloudResponse answer) {
            super(answer.describe(), null, false, false);
            this.answer = answer;
        }

        public CloudResponse answer() {
            return answer;
        }
    }

    public AccessTokens(String tokenUrl, String clientId, String clientSecret, String scope, boolean basicAuthentication,
                        Duration renewBefore, CamelContext context, CloudCall call, Redactor redactor, ObjectMapper mapper, Clock clock) {
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
        this.basicAuthentication = basicAuthentication;
        this.renewBefore = renewBefore;
        this.context = context;
        this.call = call;
        this.redactor = redactor;
        this.mapper = mapper;
        this.clock = clock;
        redactor.addSecret(clientSecret);
    }

    /**
     * A valid access token: the cached one, or a new one.
     *
     * @throws Unavailable when the token endpoint did not give one
     */
    public String token() {
        Token t = current;
        if (t != null && clock.instant().isBefore(t.renewAt())) {
            return t.value();
        }
        synchronized (this) {
            t = current;
            if (t != null && clock.instant().isBefore(t.renewAt())) {
                return t.value();
            }
            current = fetch();
            return current.value();
        }
    }

    /**
     * The cloud refused {@code refused}: it is dropped (unless another caller renewed it already)
     * and a valid token returned.
     */
    public String renew(String refused) {
        synchronized (this) {
            Token t = current;
            if (t != null && t.value().equals(refused)) {
                current = null;
                LOG.info("access token refused by the cloud (401): renewing it");
            }
        }
        return token();
    }

    private Token fetch() {
        StringBuilder form = new StringBuilder("grant_type=client_credentials");
        if (scope != null) {
            form.append("&scope=").append(encode(scope));
        }
        if (!basicAuthentication) {
            form.append("&client_id=").append(encode(clientId)).append("&client_secret=").append(encode(clientSecret));
        }
        Exchange answer = template().send("direct:cloud-http", exchange -> {
            call.prepare(exchange, "POST", tokenUrl, null, null);
            exchange.getIn().setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
            if (basicAuthentication) {
                exchange.getIn().setHeader("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((encode(clientId) + ":" + encode(clientSecret)).getBytes(StandardCharsets.UTF_8)));
            }
            exchange.getIn().setBody(form.toString());
        });
        CloudResponse r = call.read(answer);
        if (!r.ok()) {
            LOG.warn("token endpoint {}: {}", redactor.url(tokenUrl), r.describe());
            throw new Unavailable(r.status() == null || r.transientFailure() ? r
                    : refusal(r, "the token endpoint refused the client credentials"));
        }
        JsonNode body = LenientJson.strict(mapper, r.body()).orElse(null);
        String value = body == null ? null : body.path("access_token").asText(null);
        if (value == null || value.isBlank()) {
            // a token endpoint that answers 2xx without a token is out of order: tried again later
            throw new Unavailable(refusal(new CloudResponse(502, "", r.requestId(), null, null, r.durationMs()),
                    "the token endpoint answered without an access_token"));
        }
        // masked from now on, as is the token before it; the one before that is of no use to anyone (expired or
        // refused), so its mask goes: the redactor holds two tokens, not every token of a long run
        redactor.replaceSecret(retired, value);
        retired = latest;
        latest = value;
        Duration lifetime = body.path("expires_in").canConvertToLong() && body.path("expires_in").asLong() > 0
                ? Duration.ofSeconds(body.path("expires_in").asLong()) : DEFAULT_LIFETIME;
        // renewed renewBefore ahead of its expiry; a token shorter-lived than twice that, at half its life
        Duration keep = lifetime.compareTo(renewBefore.multipliedBy(2)) > 0 ? lifetime.minus(renewBefore) : lifetime.dividedBy(2);
        LOG.info("new access token from {}, valid {} s", redactor.url(tokenUrl), lifetime.toSeconds());
        return new Token(value, clock.instant().plus(keep));
    }

    /** The answer with the cloud's error code and our words in the body the adapters read ({@code type}, {@code message}). */
    private CloudResponse refusal(CloudResponse r, String words) {
        JsonNode body = LenientJson.read(mapper, r.body());
        String code = body.path("error").asText(null);
        String message = mapper.createObjectNode().put("type", "token endpoint")
                .put("message", words + (code == null ? "" : " (" + code + ")")).toString();
        return new CloudResponse(r.status(), message, r.requestId(), r.retryAfter(), r.ioError(), r.durationMs());
    }

    private ProducerTemplate template() {
        if (template == null) {
            synchronized (this) {
                if (template == null) {
                    template = context.createProducerTemplate();
                }
            }
        }
        return template;
    }

    /** RFC 6749 2.3.1: client id and secret are form-encoded, also inside HTTP Basic. */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
