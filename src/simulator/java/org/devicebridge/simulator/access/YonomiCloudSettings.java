package org.devicebridge.simulator.access;

import org.devicebridge.simulator.SettingsChecks;

import java.time.Duration;

/**
 * Settings of the {@link YonomiCloudSimulator}: start from {@link #of} and change with the
 * {@code with...} methods. {@link #toString()} never shows the client secret or the webhook password.
 *
 * @param clientId              the one M2M client the token endpoint knows
 * @param clientSecret          its secret (HTTP Basic or form fields)
 * @param installationId        the installation every GraphQL call must name
 * @param installationHeader    the header that names it; default {@code x-allegion-installation-id}
 * @param tokenTtl              lifetime of an access token; default 1 h
 * @param processingDelay       from an accepted upload ({@code PENDING}) to {@code RESOLVED}/{@code REJECTED}; default 2 s
 * @param uploadUrlTtl          lifetime of an upload URL; default 10 min
 * @param webhookUrl            where events are posted (Basic-auth flavour); {@code null} = no webhooks
 * @param webhookUser           the Basic user the simulator answers a challenge with
 * @param webhookPassword       the Basic password
 * @param webhookDuplicateShare share (0..1) of events delivered a second time
 * @param webhookReorder        each delivery waits a random 0..500 ms, so events may overtake each other
 * @param unknownDevicePattern  device ids that do not exist ({@code NOT_FOUND}); default {@code unknown-.*}
 * @param foreignDevicePattern  devices of another installation ({@code FORBIDDEN}); default {@code foreign-.*}
 * @param rejectingDevicePattern devices that reject any data ({@code REJECTED}); default {@code rejecting-.*}
 * @param randomSeed            seed of the webhook dice
 */
public record YonomiCloudSettings(String clientId, String clientSecret, String installationId, String installationHeader,
                                  Duration tokenTtl, Duration processingDelay, Duration uploadUrlTtl, String webhookUrl,
                                  String webhookUser, String webhookPassword, double webhookDuplicateShare, boolean webhookReorder,
                                  String unknownDevicePattern, String foreignDevicePattern, String rejectingDevicePattern,
                                  long randomSeed) {

    public YonomiCloudSettings {
        SettingsChecks.requireSecret("clientId", clientId);
        SettingsChecks.requireSecret("clientSecret", clientSecret);
        SettingsChecks.requireSecret("installationId", installationId);
        SettingsChecks.requireSecret("installationHeader", installationHeader);
        SettingsChecks.requireNonNegative("tokenTtl", tokenTtl);
        SettingsChecks.requireNonNegative("processingDelay", processingDelay);
        SettingsChecks.requireNonNegative("uploadUrlTtl", uploadUrlTtl);
        SettingsChecks.requireShare("webhookDuplicateShare", webhookDuplicateShare);
        if (webhookUrl != null && (webhookUser == null || webhookPassword == null)) {
            throw new IllegalArgumentException("webhookUser and webhookPassword are required when webhookUrl is set");
        }
        SettingsChecks.requirePattern("unknownDevicePattern", unknownDevicePattern);
        SettingsChecks.requirePattern("foreignDevicePattern", foreignDevicePattern);
        SettingsChecks.requirePattern("rejectingDevicePattern", rejectingDevicePattern);
    }

    /** Defaults for a client and an installation: no webhooks. */
    public static YonomiCloudSettings of(String clientId, String clientSecret, String installationId) {
        return new YonomiCloudSettings(clientId, clientSecret, installationId, "x-allegion-installation-id", Duration.ofHours(1),
                Duration.ofSeconds(2), Duration.ofMinutes(10), null, null, null, 0, false, "unknown-.*", "foreign-.*",
                "rejecting-.*", 1L);
    }

    public YonomiCloudSettings withProcessingDelay(Duration value) {
        return new YonomiCloudSettings(clientId, clientSecret, installationId, installationHeader, tokenTtl, value, uploadUrlTtl,
                webhookUrl, webhookUser, webhookPassword, webhookDuplicateShare, webhookReorder, unknownDevicePattern,
                foreignDevicePattern, rejectingDevicePattern, randomSeed);
    }

    public YonomiCloudSettings withTokenTtl(Duration value) {
        return new YonomiCloudSettings(clientId, clientSecret, installationId, installationHeader, value, processingDelay, uploadUrlTtl,
                webhookUrl, webhookUser, webhookPassword, webhookDuplicateShare, webhookReorder, unknownDevicePattern,
                foreignDevicePattern, rejectingDevicePattern, randomSeed);
    }

    public YonomiCloudSettings withInstallationHeader(String value) {
        return new YonomiCloudSettings(clientId, clientSecret, installationId, value, tokenTtl, processingDelay, uploadUrlTtl,
                webhookUrl, webhookUser, webhookPassword, webhookDuplicateShare, webhookReorder, unknownDevicePattern,
                foreignDevicePattern, rejectingDevicePattern, randomSeed);
    }

    /** Webhooks to {@code url}, answering the receiver's Basic challenge with {@code user} and {@code password}; a null URL stops them. */
    public YonomiCloudSettings withWebhook(String url, String user, String password) {
        return new YonomiCloudSettings(clientId, clientSecret, installationId, installationHeader, tokenTtl, processingDelay, uploadUrlTtl,
                url, user, password, webhookDuplicateShare, webhookReorder, unknownDevicePattern, foreignDevicePattern,
                rejectingDevicePattern, randomSeed);
    }

    public YonomiCloudSettings withWebhookFaults(double duplicateShare, boolean reorder) {
        return new YonomiCloudSettings(clientId, clientSecret, installationId, installationHeader, tokenTtl, processingDelay, uploadUrlTtl,
                webhookUrl, webhookUser, webhookPassword, duplicateShare, reorder, unknownDevicePattern, foreignDevicePattern,
                rejectingDevicePattern, randomSeed);
    }

    @Override
    public String toString() {
        return "YonomiCloudSettings[clientId=" + clientId + ", clientSecret=***, installationId=" + installationId
                + ", installationHeader=" + installationHeader + ", tokenTtl=" + tokenTtl + ", processingDelay=" + processingDelay
                + ", uploadUrlTtl=" + uploadUrlTtl + ", webhookUrl=" + (webhookUrl == null ? "none" : "set")
                + ", webhookPassword=" + (webhookPassword == null ? "none" : "***") + ", webhookDuplicateShare=" + webhookDuplicateShare
                + ", webhookReorder=" + webhookReorder + "]";
    }
}
