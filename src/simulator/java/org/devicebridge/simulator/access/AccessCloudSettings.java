package org.devicebridge.simulator.access;

import org.devicebridge.simulator.SettingsChecks;

import java.net.URI;
import java.time.Duration;

/**
 * Settings of the {@link AccessCloudSimulator}. Build them with {@link #builder(String)}.
 *
 * <p>{@link #toString()} never shows the API key or the webhook secret.
 *
 * @param apiKey                the only accepted bearer token (required, not blank)
 * @param processingDelay       time from an accepted upload ({@code PENDING}) to
 *                              {@code RESOLVED}/{@code REJECTED}; default 2 s
 * @param uploadUrlTtl          lifetime of an upload URL from the action's creation; default 10 min
 * @param transient5xxShare     share (0..1) of authenticated API calls answered {@code 503}; default 0
 * @param garbledAnswerShare    share (0..1) of {@code 2xx} answers whose body is cut short after the call took
 *                              effect (an answer lost on its way); default 0
 * @param tooManyRequestsShare  share (0..1) of authenticated API calls answered {@code 429}; default 0
 * @param retryAfterSeconds     {@code Retry-After} value of every {@code 429}; default 1
 * @param webhookUrl            where status-change events are POSTed; {@code null} = no webhooks
 * @param webhookSecret         HMAC-SHA256 key of {@code X-Signature}; required with a webhook URL
 * @param webhookDuplicateShare share (0..1) of events delivered a second time, identically
 * @param webhookReorder        deliver each event after a random extra 0..500 ms, so events may
 *                              overtake each other
 * @param unknownDevicePattern  regex of device ids that do not exist; default {@code unknown-.*}
 * @param randomSeed            seed of the fault and webhook dice (ids are always unique)
 */
public record AccessCloudSettings(
        String apiKey,
        Duration processingDelay,
        Duration uploadUrlTtl,
        double transient5xxShare,
        double garbledAnswerShare,
        double tooManyRequestsShare,
        int retryAfterSeconds,
        String webhookUrl,
        String webhookSecret,
        double webhookDuplicateShare,
        boolean webhookReorder,
        String unknownDevicePattern,
        long randomSeed) {

    /** Default {@link #processingDelay()}. */
    public static final Duration DEFAULT_PROCESSING_DELAY = Duration.ofSeconds(2);
    /** Default {@link #uploadUrlTtl()}. */
    public static final Duration DEFAULT_UPLOAD_URL_TTL = Duration.ofMinutes(10);
    /** Default {@link #unknownDevicePattern()}. */
    public static final String DEFAULT_UNKNOWN_DEVICE_PATTERN = "unknown-.*";

    /** Validates every setting. */
    public AccessCloudSettings {
        SettingsChecks.requireSecret("apiKey", apiKey);
        SettingsChecks.requireNonNegative("processingDelay", processingDelay);
        SettingsChecks.requireNonNegative("uploadUrlTtl", uploadUrlTtl);
        SettingsChecks.requireShare("transient5xxShare", transient5xxShare);
        SettingsChecks.requireShare("garbledAnswerShare", garbledAnswerShare);
        SettingsChecks.requireShare("tooManyRequestsShare", tooManyRequestsShare);
        SettingsChecks.requireShare("webhookDuplicateShare", webhookDuplicateShare);
        SettingsChecks.requireNonNegative("retryAfterSeconds", retryAfterSeconds);
        if (webhookUrl != null) {
            URI uri = URI.create(webhookUrl);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new IllegalArgumentException("webhookUrl must be an http(s) URL");
            }
            if (webhookSecret == null || webhookSecret.isEmpty()) {
                throw new IllegalArgumentException("webhookSecret is required when webhookUrl is set");
            }
        }
        SettingsChecks.requirePattern("unknownDevicePattern", unknownDevicePattern);
    }

    /**
     * A builder with all defaults and the given API key.
     *
     * @param apiKey the bearer token the simulated cloud accepts
     * @return a new builder
     */
    public static Builder builder(String apiKey) {
        return new Builder(apiKey);
    }

    /** A builder initialised with these settings. */
    public Builder toBuilder() {
        return new Builder(apiKey)
                .processingDelay(processingDelay)
                .uploadUrlTtl(uploadUrlTtl)
                .transient5xxShare(transient5xxShare)
                .garbledAnswerShare(garbledAnswerShare)
                .tooManyRequestsShare(tooManyRequestsShare)
                .retryAfterSeconds(retryAfterSeconds)
                .webhook(webhookUrl, webhookSecret)
                .webhookDuplicateShare(webhookDuplicateShare)
                .webhookReorder(webhookReorder)
                .unknownDevicePattern(unknownDevicePattern)
                .randomSeed(randomSeed);
    }

    /** Like the record's, but with the API key and the webhook secret masked. */
    @Override
    public String toString() {
        return "AccessCloudSettings[apiKey=***, processingDelay=" + processingDelay
                + ", uploadUrlTtl=" + uploadUrlTtl
                + ", transient5xxShare=" + transient5xxShare
                + ", garbledAnswerShare=" + garbledAnswerShare
                + ", tooManyRequestsShare=" + tooManyRequestsShare
                + ", retryAfterSeconds=" + retryAfterSeconds
                + ", webhookUrl=" + (webhookUrl == null ? "none" : "set")
                + ", webhookSecret=" + (webhookSecret == null ? "none" : "***")
                + ", webhookDuplicateShare=" + webhookDuplicateShare
                + ", webhookReorder=" + webhookReorder
                + ", unknownDevicePattern=" + unknownDevicePattern
                + ", randomSeed=" + randomSeed + "]";
    }

    /** Fluent builder of {@link AccessCloudSettings}; {@link #build()} validates. */
    public static final class Builder {
        private final String apiKey;
        private Duration processingDelay = DEFAULT_PROCESSING_DELAY;
        private Duration uploadUrlTtl = DEFAULT_UPLOAD_URL_TTL;
        private double transient5xxShare;
        private double garbledAnswerShare;
        private double tooManyRequestsShare;
        private int retryAfterSeconds = 1;
        private String webhookUrl;
        private String webhookSecret;
        private double webhookDuplicateShare;
        private boolean webhookReorder;
        private String unknownDevicePattern = DEFAULT_UNKNOWN_DEVICE_PATTERN;
        private long randomSeed = 1L;

        private Builder(String apiKey) {
            this.apiKey = apiKey;
        }

        /** @see AccessCloudSettings#processingDelay() */
        public Builder processingDelay(Duration value) {
            this.processingDelay = value;
            return this;
        }

        /** @see AccessCloudSettings#uploadUrlTtl() */
        public Builder uploadUrlTtl(Duration value) {
            this.uploadUrlTtl = value;
            return this;
        }

        /** @see AccessCloudSettings#transient5xxShare() */
        public Builder transient5xxShare(double value) {
            this.transient5xxShare = value;
            return this;
        }

        /** @see AccessCloudSettings#garbledAnswerShare() */
        public Builder garbledAnswerShare(double value) {
            this.garbledAnswerShare = value;
            return this;
        }

        /** @see AccessCloudSettings#tooManyRequestsShare() */
        public Builder tooManyRequestsShare(double value) {
            this.tooManyRequestsShare = value;
            return this;
        }

        /** @see AccessCloudSettings#retryAfterSeconds() */
        public Builder retryAfterSeconds(int value) {
            this.retryAfterSeconds = value;
            return this;
        }

        /**
         * Webhook target and signing secret; a {@code null} URL disables webhooks.
         *
         * @see AccessCloudSettings#webhookUrl()
         */
        public Builder webhook(String url, String secret) {
            this.webhookUrl = url;
            this.webhookSecret = secret;
            return this;
        }

        /** @see AccessCloudSettings#webhookDuplicateShare() */
        public Builder webhookDuplicateShare(double value) {
            this.webhookDuplicateShare = value;
            return this;
        }

        /** @see AccessCloudSettings#webhookReorder() */
        public Builder webhookReorder(boolean value) {
            this.webhookReorder = value;
            return this;
        }

        /** @see AccessCloudSettings#unknownDevicePattern() */
        public Builder unknownDevicePattern(String value) {
            this.unknownDevicePattern = value;
            return this;
        }

        /** @see AccessCloudSettings#randomSeed() */
        public Builder randomSeed(long value) {
            this.randomSeed = value;
            return this;
        }

        /** Validates and builds the settings. */
        public AccessCloudSettings build() {
            return new AccessCloudSettings(apiKey, processingDelay, uploadUrlTtl, transient5xxShare, garbledAnswerShare,
                    tooManyRequestsShare, retryAfterSeconds, webhookUrl, webhookSecret,
                    webhookDuplicateShare, webhookReorder, unknownDevicePattern, randomSeed);
        }
    }
}
