package org.devicebridge.simulator.home;

import org.devicebridge.simulator.SettingsChecks;

import java.time.Duration;

/**
 * Settings of the {@link HomeCloudSimulator}. Build them with {@link #builder(String)}.
 *
 * <p>{@link #toString()} never shows the OAuth token. Device ids are matched against the
 * patterns in this order, the first match deciding: unknown, unreachable, busy, mode-locked,
 * broken; a device matching none applies every valid action ({@code DONE}).
 *
 * @param token                     the only accepted bearer (OAuth) token (required, not blank)
 * @param latency                   delay before every response is sent; default 0
 * @param transient5xxShare         share (0..1) of authenticated requests answered {@code 503}; default 0
 * @param garbledAnswerShare        share (0..1) of {@code 2xx} answers whose body is cut short after the call took
 *                                  effect (an answer lost on its way); default 0
 * @param unknownDevicePattern      regex of device ids that do not exist; default {@code unknown-.*}
 * @param unreachableDevicePattern  regex of devices answering {@code DEVICE_UNREACHABLE}; default {@code offline-.*}
 * @param busyDevicePattern         regex of devices answering {@code DEVICE_BUSY}; default {@code busy-.*}
 * @param modeLockedDevicePattern   regex of devices answering {@code NOT_SUPPORTED_IN_CURRENT_MODE};
 *                                  default {@code locked-.*}
 * @param brokenDevicePattern       regex of devices answering {@code INTERNAL_ERROR}; default {@code broken-.*}
 * @param randomSeed                seed of the fault dice
 */
public record HomeCloudSettings(
        String token,
        Duration latency,
        double transient5xxShare,
        double garbledAnswerShare,
        String unknownDevicePattern,
        String unreachableDevicePattern,
        String busyDevicePattern,
        String modeLockedDevicePattern,
        String brokenDevicePattern,
        long randomSeed) {

    /** Default {@link #unknownDevicePattern()}. */
    public static final String DEFAULT_UNKNOWN_DEVICE_PATTERN = "unknown-.*";
    /** Default {@link #unreachableDevicePattern()}. */
    public static final String DEFAULT_UNREACHABLE_DEVICE_PATTERN = "offline-.*";
    /** Default {@link #busyDevicePattern()}. */
    public static final String DEFAULT_BUSY_DEVICE_PATTERN = "busy-.*";
    /** Default {@link #modeLockedDevicePattern()}. */
    public static final String DEFAULT_MODE_LOCKED_DEVICE_PATTERN = "locked-.*";
    /** Default {@link #brokenDevicePattern()}. */
    public static final String DEFAULT_BROKEN_DEVICE_PATTERN = "broken-.*";

    /** Validates every setting. */
    public HomeCloudSettings {
        SettingsChecks.requireSecret("token", token);
        SettingsChecks.requireNonNegative("latency", latency);
        SettingsChecks.requireShare("transient5xxShare", transient5xxShare);
        SettingsChecks.requireShare("garbledAnswerShare", garbledAnswerShare);
        SettingsChecks.requirePattern("unknownDevicePattern", unknownDevicePattern);
        SettingsChecks.requirePattern("unreachableDevicePattern", unreachableDevicePattern);
        SettingsChecks.requirePattern("busyDevicePattern", busyDevicePattern);
        SettingsChecks.requirePattern("modeLockedDevicePattern", modeLockedDevicePattern);
        SettingsChecks.requirePattern("brokenDevicePattern", brokenDevicePattern);
    }

    /**
     * A builder with all defaults and the given token.
     *
     * @param token the bearer token the simulated cloud accepts
     * @return a new builder
     */
    public static Builder builder(String token) {
        return new Builder(token);
    }

    /** A builder initialised with these settings. */
    public Builder toBuilder() {
        return new Builder(token)
                .latency(latency)
                .transient5xxShare(transient5xxShare)
                .garbledAnswerShare(garbledAnswerShare)
                .unknownDevicePattern(unknownDevicePattern)
                .unreachableDevicePattern(unreachableDevicePattern)
                .busyDevicePattern(busyDevicePattern)
                .modeLockedDevicePattern(modeLockedDevicePattern)
                .brokenDevicePattern(brokenDevicePattern)
                .randomSeed(randomSeed);
    }

    /** Like the record's, but with the token masked. */
    @Override
    public String toString() {
        return "HomeCloudSettings[token=***, latency=" + latency
                + ", transient5xxShare=" + transient5xxShare
                + ", garbledAnswerShare=" + garbledAnswerShare
                + ", unknownDevicePattern=" + unknownDevicePattern
                + ", unreachableDevicePattern=" + unreachableDevicePattern
                + ", busyDevicePattern=" + busyDevicePattern
                + ", modeLockedDevicePattern=" + modeLockedDevicePattern
                + ", brokenDevicePattern=" + brokenDevicePattern
                + ", randomSeed=" + randomSeed + "]";
    }

    /** Fluent builder of {@link HomeCloudSettings}; {@link #build()} validates. */
    public static final class Builder {
        private final String token;
        private Duration latency = Duration.ZERO;
        private double transient5xxShare;
        private double garbledAnswerShare;
        private String unknownDevicePattern = DEFAULT_UNKNOWN_DEVICE_PATTERN;
        private String unreachableDevicePattern = DEFAULT_UNREACHABLE_DEVICE_PATTERN;
        private String busyDevicePattern = DEFAULT_BUSY_DEVICE_PATTERN;
        private String modeLockedDevicePattern = DEFAULT_MODE_LOCKED_DEVICE_PATTERN;
        private String brokenDevicePattern = DEFAULT_BROKEN_DEVICE_PATTERN;
        private long randomSeed = 1L;

        private Builder(String token) {
            this.token = token;
        }

        /** @see HomeCloudSettings#latency() */
        public Builder latency(Duration value) {
            this.latency = value;
            return this;
        }

        /** @see HomeCloudSettings#transient5xxShare() */
        public Builder transient5xxShare(double value) {
            this.transient5xxShare = value;
            return this;
        }

        /** @see HomeCloudSettings#garbledAnswerShare() */
        public Builder garbledAnswerShare(double value) {
            this.garbledAnswerShare = value;
            return this;
        }

        /** @see HomeCloudSettings#unknownDevicePattern() */
        public Builder unknownDevicePattern(String value) {
            this.unknownDevicePattern = value;
            return this;
        }

        /** @see HomeCloudSettings#unreachableDevicePattern() */
        public Builder unreachableDevicePattern(String value) {
            this.unreachableDevicePattern = value;
            return this;
        }

        /** @see HomeCloudSettings#busyDevicePattern() */
        public Builder busyDevicePattern(String value) {
            this.busyDevicePattern = value;
            return this;
        }

        /** @see HomeCloudSettings#modeLockedDevicePattern() */
        public Builder modeLockedDevicePattern(String value) {
            this.modeLockedDevicePattern = value;
            return this;
        }

        /** @see HomeCloudSettings#brokenDevicePattern() */
        public Builder brokenDevicePattern(String value) {
            this.brokenDevicePattern = value;
            return this;
        }

        /** @see HomeCloudSettings#randomSeed() */
        public Builder randomSeed(long value) {
            this.randomSeed = value;
            return this;
        }

        /** Validates and builds the settings. */
        public HomeCloudSettings build() {
            return new HomeCloudSettings(token, latency, transient5xxShare, garbledAnswerShare, unknownDevicePattern,
                    unreachableDevicePattern, busyDevicePattern, modeLockedDevicePattern,
                    brokenDevicePattern, randomSeed);
        }
    }
}
