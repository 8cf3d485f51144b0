package org.devicebridge.simulator.network;

import org.devicebridge.simulator.SettingsChecks;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the {@link NetworkCloudSimulator}. Build them with {@link #builder(String)}.
 *
 * <p>{@link #toString()} never shows the access token.
 *
 * <p>Device outcomes (the {@code 200} body maps each device to one of them): a device matching
 * the "unknown" pattern of its kind answers {@code 0}; else one matching the "unsupported"
 * pattern answers {@code -1}; else an {@code assign_to_group} to a group outside
 * {@link #knownGroups()} answers {@code 0}; else {@code 1} (applied). HWIDs and MACs have
 * separate patterns because a MAC must look like {@code aa:bb:cc:dd:ee:ff} and could never match
 * {@code unknown-.*}.
 *
 * @param token                  the only accepted {@code access_token} query parameter (required, not blank)
 * @param rateLimit              accepted requests per {@link #rateWindow()} (sliding window) for the
 *                               token; default 10 (the contract's 10/min)
 * @param rateWindow             length of the sliding rate window; default 1 min
 * @param maxDevicesPerRequest   most devices ({@code ids} or {@code macs}) in one request; default 100
 * @param latency                delay before every response is sent; default 0
 * @param transient5xxShare      share (0..1) of rate-admitted requests answered {@code 503}; default 0
 * @param garbledAnswerShare     share (0..1) of {@code 2xx} answers whose body is cut short after the call took
 *                               effect (an answer lost on its way); default 0
 * @param unknownDevicePattern   regex of HWIDs that do not exist on the account ({@code 0});
 *                               default {@code unknown-.*}
 * @param unsupportedPattern     regex of HWIDs whose device does not support the action ({@code -1});
 *                               default {@code legacy-.*}
 * @param unknownMacPattern      regex of MACs that do not exist ({@code 0}); default {@code ff:ff:.*}
 * @param unsupportedMacPattern  regex of MACs not supporting the action ({@code -1}); default {@code ee:ee:.*}
 * @param knownGroups            group ids {@code assign_to_group} can assign to; default {@code {"default"}}
 * @param randomSeed             seed of the fault dice
 */
public record NetworkCloudSettings(
        String token,
        int rateLimit,
        Duration rateWindow,
        int maxDevicesPerRequest,
        Duration latency,
        double transient5xxShare,
        double garbledAnswerShare,
        String unknownDevicePattern,
        String unsupportedPattern,
        String unknownMacPattern,
        String unsupportedMacPattern,
        Set<String> knownGroups,
        long randomSeed) {

    /** Default {@link #rateLimit()}. */
    public static final int DEFAULT_RATE_LIMIT = 10;
    /** Default {@link #rateWindow()}. */
    public static final Duration DEFAULT_RATE_WINDOW = Duration.ofMinutes(1);
    /** Default {@link #maxDevicesPerRequest()}. */
    public static final int DEFAULT_MAX_DEVICES_PER_REQUEST = 100;
    /** Default {@link #unknownDevicePattern()}. */
    public static final String DEFAULT_UNKNOWN_DEVICE_PATTERN = "unknown-.*";
    /** Default {@link #unsupportedPattern()}. */
    public static final String DEFAULT_UNSUPPORTED_PATTERN = "legacy-.*";
    /** Default {@link #unknownMacPattern()}. */
    public static final String DEFAULT_UNKNOWN_MAC_PATTERN = "ff:ff:.*";
    /** Default {@link #unsupportedMacPattern()}. */
    public static final String DEFAULT_UNSUPPORTED_MAC_PATTERN = "ee:ee:.*";
    /** The group {@code assign_to_group} uses without {@code params.group_id}; known by default. */
    public static final String DEFAULT_GROUP = "default";

    /** Validates every setting. */
    public NetworkCloudSettings {
        SettingsChecks.requireSecret("token", token);
        SettingsChecks.requireAtLeast("rateLimit", rateLimit, 1);
        SettingsChecks.requirePositive("rateWindow", rateWindow);
        SettingsChecks.requireAtLeast("maxDevicesPerRequest", maxDevicesPerRequest, 1);
        SettingsChecks.requireNonNegative("latency", latency);
        SettingsChecks.requireShare("transient5xxShare", transient5xxShare);
        SettingsChecks.requireShare("garbledAnswerShare", garbledAnswerShare);
        SettingsChecks.requirePattern("unknownDevicePattern", unknownDevicePattern);
        SettingsChecks.requirePattern("unsupportedPattern", unsupportedPattern);
        SettingsChecks.requirePattern("unknownMacPattern", unknownMacPattern);
        SettingsChecks.requirePattern("unsupportedMacPattern", unsupportedMacPattern);
        Objects.requireNonNull(knownGroups, "knownGroups");
        if (knownGroups.stream().anyMatch(g -> g == null || g.isEmpty())) {
            throw new IllegalArgumentException("knownGroups must not contain null or empty ids");
        }
        knownGroups = Collections.unmodifiableSet(new LinkedHashSet<>(knownGroups));
    }

    /**
     * A builder with all defaults and the given token.
     *
     * @param token the {@code access_token} the simulated cloud accepts
     * @return a new builder
     */
    public static Builder builder(String token) {
        return new Builder(token);
    }

    /** A builder initialised with these settings. */
    public Builder toBuilder() {
        return new Builder(token)
                .rateLimit(rateLimit, rateWindow)
                .maxDevicesPerRequest(maxDevicesPerRequest)
                .latency(latency)
                .transient5xxShare(transient5xxShare)
                .garbledAnswerShare(garbledAnswerShare)
                .unknownDevicePattern(unknownDevicePattern)
                .unsupportedPattern(unsupportedPattern)
                .unknownMacPattern(unknownMacPattern)
                .unsupportedMacPattern(unsupportedMacPattern)
                .knownGroups(knownGroups)
                .randomSeed(randomSeed);
    }

    /** Like the record's, but with the token masked. */
    @Override
    public String toString() {
        return "NetworkCloudSettings[token=***, rateLimit=" + rateLimit
                + ", rateWindow=" + rateWindow
                + ", maxDevicesPerRequest=" + maxDevicesPerRequest
                + ", latency=" + latency
                + ", transient5xxShare=" + transient5xxShare
                + ", garbledAnswerShare=" + garbledAnswerShare
                + ", unknownDevicePattern=" + unknownDevicePattern
                + ", unsupportedPattern=" + unsupportedPattern
                + ", unknownMacPattern=" + unknownMacPattern
                + ", unsupportedMacPattern=" + unsupportedMacPattern
                + ", knownGroups=" + knownGroups
                + ", randomSeed=" + randomSeed + "]";
    }

    /** Fluent builder of {@link NetworkCloudSettings}; {@link #build()} validates. */
    public static final class Builder {
        private final String token;
        private int rateLimit = DEFAULT_RATE_LIMIT;
        private Duration rateWindow = DEFAULT_RATE_WINDOW;
        private int maxDevicesPerRequest = DEFAULT_MAX_DEVICES_PER_REQUEST;
        private Duration latency = Duration.ZERO;
        private double transient5xxShare;
        private double garbledAnswerShare;
        private String unknownDevicePattern = DEFAULT_UNKNOWN_DEVICE_PATTERN;
        private String unsupportedPattern = DEFAULT_UNSUPPORTED_PATTERN;
        private String unknownMacPattern = DEFAULT_UNKNOWN_MAC_PATTERN;
        private String unsupportedMacPattern = DEFAULT_UNSUPPORTED_MAC_PATTERN;
        private Set<String> knownGroups = Set.of(DEFAULT_GROUP);
        private long randomSeed = 1L;

        private Builder(String token) {
            this.token = token;
        }

        /**
         * At most {@code limit} accepted requests within any {@code window}.
         *
         * @see NetworkCloudSettings#rateLimit()
         * @see NetworkCloudSettings#rateWindow()
         */
        public Builder rateLimit(int limit, Duration window) {
            this.rateLimit = limit;
            this.rateWindow = window;
            return this;
        }

        /** @see NetworkCloudSettings#rateLimit() */
        public Builder rateLimit(int value) {
            this.rateLimit = value;
            return this;
        }

        /** @see NetworkCloudSettings#rateWindow() */
        public Builder rateWindow(Duration value) {
            this.rateWindow = value;
            return this;
        }

        /** @see NetworkCloudSettings#maxDevicesPerRequest() */
        public Builder maxDevicesPerRequest(int value) {
            this.maxDevicesPerRequest = value;
            return this;
        }

        /** @see NetworkCloudSettings#latency() */
        public Builder latency(Duration value) {
            this.latency = value;
            return this;
        }

        /** @see NetworkCloudSettings#transient5xxShare() */
        public Builder transient5xxShare(double value) {
            this.transient5xxShare = value;
            return this;
        }

        /** @see NetworkCloudSettings#garbledAnswerShare() */
        public Builder garbledAnswerShare(double value) {
            this.garbledAnswerShare = value;
            return this;
        }

        /** @see NetworkCloudSettings#unknownDevicePattern() */
        public Builder unknownDevicePattern(String value) {
            this.unknownDevicePattern = value;
            return this;
        }

        /** @see NetworkCloudSettings#unsupportedPattern() */
        public Builder unsupportedPattern(String value) {
            this.unsupportedPattern = value;
            return this;
        }

        /** @see NetworkCloudSettings#unknownMacPattern() */
        public Builder unknownMacPattern(String value) {
            this.unknownMacPattern = value;
            return this;
        }

        /** @see NetworkCloudSettings#unsupportedMacPattern() */
        public Builder unsupportedMacPattern(String value) {
            this.unsupportedMacPattern = value;
            return this;
        }

        /** @see NetworkCloudSettings#knownGroups() */
        public Builder knownGroups(Set<String> value) {
            this.knownGroups = value;
            return this;
        }

        /** @see NetworkCloudSettings#randomSeed() */
        public Builder randomSeed(long value) {
            this.randomSeed = value;
            return this;
        }

        /** Validates and builds the settings. */
        public NetworkCloudSettings build() {
            return new NetworkCloudSettings(token, rateLimit, rateWindow, maxDevicesPerRequest, latency,
                    transient5xxShare, garbledAnswerShare, unknownDevicePattern, unsupportedPattern, unknownMacPattern,
                    unsupportedMacPattern, knownGroups, randomSeed);
        }
    }
}
