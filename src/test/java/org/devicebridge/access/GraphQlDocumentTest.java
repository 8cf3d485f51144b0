package org.devicebridge.access;

import org.devicebridge.BadConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The GraphQL documents are configuration: shipped defaults, overridable by a file, checked for the variables bound. */
class GraphQlDocumentTest {

    private static final String KEY = "bridge.access.yonomi.upload-url-mutation";
    private static final String DEFAULT = "/yonomi/request-upload-url.graphql";

    @Test
    void shipsTheUploadUrlMutationAndTheActionEventsQuery() {
        assertThat(GraphQlDocument.load(KEY, null, DEFAULT, List.of("deviceId")).text())
                .contains("CredentialsAndSchedulesV1RequestCredentialsAndSchedulesURL(deviceId: $deviceId)");
        assertThat(GraphQlDocument.load("q", null, "/yonomi/action-events.graphql", List.of("deviceId", "actionId")).text())
                .contains("events(filter: {actionId: $actionId}");
    }

    @Test
    void readsTheFileASettingNames(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("mutation.graphql"),
                "mutation M($deviceId: ID!) { RequestURL(deviceId: $deviceId) { actionId uploadUrl } }");

        assertThat(GraphQlDocument.load(KEY, file.toString(), DEFAULT, List.of("deviceId")).text()).contains("RequestURL");
    }

    @Test
    void refusesADocumentThatDoesNotDeclareAVariableTheBridgeBinds(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("mutation.graphql"), "mutation M($id: ID!) { RequestURL(deviceId: $id) { actionId } }");

        assertThatThrownBy(() -> GraphQlDocument.load(KEY, file.toString(), DEFAULT, List.of("deviceId")))
                .isInstanceOf(BadConfigurationException.class).hasMessageStartingWith(KEY).hasMessageContaining("does not declare $deviceId");
    }

    @Test
    void namesTheSettingWhenTheFileCannotBeRead(@TempDir Path dir) {
        assertThatThrownBy(() -> GraphQlDocument.load(KEY, dir.resolve("missing.graphql").toString(), DEFAULT, List.of("deviceId")))
                .isInstanceOf(BadConfigurationException.class).hasMessageStartingWith(KEY + " cannot read");
    }
}
