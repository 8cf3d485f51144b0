package org.devicebridge.simulator;

import org.devicebridge.simulation.SimulatedClouds;
import org.devicebridge.simulator.access.AccessCloudSettings;
import org.devicebridge.simulator.access.YonomiCloudSettings;
import org.devicebridge.simulator.access.YonomiCloudSimulator;
import org.devicebridge.simulator.home.HomeCloudSettings;
import org.devicebridge.simulator.network.NetworkCloudSettings;

/**
 * The simulator as the bridge starts it: registered for {@link java.util.ServiceLoader} under
 * {@code META-INF/services/org.devicebridge.simulation.SimulatedClouds}, it turns the bridge's plain
 * values into the clouds' settings and mounts them on one {@link SimulatorServer}.
 */
public final class SimulatorClouds implements SimulatedClouds {

    @Override
    public Running start(Plan plan) {
        SimulatorServer server = SimulatorServer.start(plan.port());
        try {
            String accessUrl = null;
            String tokenUrl = null;
            Access access = plan.access();
            if (access != null && access.yonomi() != null) {
                var platform = YonomiCloudSimulator.mount(server, YonomiCloudSettings.of(
                                access.yonomi().clientId(), access.key(), access.yonomi().installationId())
                        .withInstallationHeader(access.yonomi().installationHeader())
                        .withProcessingDelay(access.processingDelay()));
                Webhooks webhooks = access.webhooks();
                if (webhooks != null) {
                    platform.updateSettings(s -> s.withWebhook(webhooks.url(), webhooks.user(), webhooks.secret()));
                }
                accessUrl = platform.baseUrl();
                tokenUrl = platform.tokenUrl();
            } else if (access != null) {
                var settings = AccessCloudSettings.builder(access.key())
                        .processingDelay(access.processingDelay())
                        .transient5xxShare(access.transient5xxShare())
                        .tooManyRequestsShare(access.tooManyRequestsShare())
                        .garbledAnswerShare(access.garbledAnswerShare());
                Webhooks webhooks = access.webhooks();
                if (webhooks != null) {
                    settings.webhook(webhooks.url(), webhooks.secret())
                            .webhookDuplicateShare(webhooks.duplicateShare())
                            .webhookReorder(webhooks.reorder());
                }
                accessUrl = server.addAccessCloud(settings.build()).baseUrl();
            }
            Network network = plan.network();
            String networkUrl = network == null ? null : server.addNetworkCloud(NetworkCloudSettings.builder(network.token())
                    .rateLimit(network.rateLimit(), network.rateWindow())
                    .latency(network.latency())
                    .transient5xxShare(network.transient5xxShare())
                    .garbledAnswerShare(network.garbledAnswerShare())
                    .build()).baseUrl();
            Home home = plan.home();
            String homeUrl = home == null ? null : server.addHomeCloud(HomeCloudSettings.builder(home.token())
                    .latency(home.latency())
                    .transient5xxShare(home.transient5xxShare())
                    .garbledAnswerShare(home.garbledAnswerShare())
                    .build()).baseUrl();
            return new Started(server, accessUrl, tokenUrl, networkUrl, homeUrl);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private record Started(SimulatorServer server, String accessBaseUrl, String accessTokenUrl, String networkBaseUrl,
                           String homeBaseUrl) implements Running {

        @Override
        public String baseUrl() {
            return server.baseUrl();
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
