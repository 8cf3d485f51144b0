package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.devicebridge.client.ApiClient;
import org.devicebridge.client.ApiException;
import org.devicebridge.client.api.CommandStatusApi;
import org.devicebridge.client.api.CommandStatusApi.APIListCommandStatusRequest;
import org.devicebridge.client.api.RequestsApi;
import org.devicebridge.client.model.Action;
import org.devicebridge.client.model.BatchDocument;
import org.devicebridge.client.model.BulkAction;
import org.devicebridge.client.model.BulkParams;
import org.devicebridge.client.model.CapabilityAction;
import org.devicebridge.client.model.CapabilityChange;
import org.devicebridge.client.model.CapabilityState;
import org.devicebridge.client.model.CommandAction;
import org.devicebridge.client.model.CommandState;
import org.devicebridge.client.model.CommandStatus;
import org.devicebridge.client.model.CommandStatusWithTransitions;
import org.devicebridge.client.model.Credential;
import org.devicebridge.client.model.CredentialsAction;
import org.devicebridge.client.model.CredentialsPayload;
import org.devicebridge.client.model.Interval;
import org.devicebridge.client.model.Schedule;
import org.devicebridge.client.model.StatusPage;
import org.devicebridge.client.model.Transition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * A client generated from the bridge's OpenAPI document ({@code openapi-generator}, Java,
 * {@code java.net.http} + Jackson, into {@code target/generated-test-sources}) against the running
 * bridge on the simulated clouds: it builds each kind of action as its own type, submits them in
 * one batch, and reads the statuses, pages and errors back as typed objects.
 */
class TypedClientTest extends StatusApiTestSupport {

    private static final Set<CommandState> FINAL = Set.of(CommandState.COMMAND_SUCCESS, CommandState.COMMAND_FAILURE,
            CommandState.COMMAND_TIME_OUT, CommandState.COMMAND_CANCELLED);

    private CommandStatusApi statuses;
    private RequestsApi requests;

    @BeforeEach
    void typedClient() {
        ApiClient client = new ApiClient();
        URI base = URI.create(baseUrl());
        client.setScheme(base.getScheme()).setHost(base.getHost()).setPort(base.getPort());
        client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + OPERATOR_TOKEN));
        client.setReadTimeout(Duration.ofSeconds(10));
        statuses = new CommandStatusApi(client);
        requests = new RequestsApi(client);
    }

    @Test
    void submitsEveryKindTypedAndReadsTheirStatuses() throws Exception {
        String request = unique("typed");
        String door = unique("door");
        OffsetDateTime later = OffsetDateTime.parse("2099-12-01T02:00:00Z");
        BatchDocument document = new BatchDocument().requestId(request)
                .addActionsItem(new Action(new CredentialsAction().kind(CredentialsAction.KindEnum.CREDENTIALS).id("creds").device(door)
                        .payload(new CredentialsPayload()
                                .addCredentialsItem(new Credential().id("1a2b3c4d").holder("Ada").addScheduleIdsItem("office"))
                                .addSchedulesItem(new Schedule().id("office").timezone("Europe/Berlin")
                                        .addIntervalsItem(new Interval().days(List.of("MON", "FRI")).start("08:00").end("18:00"))))))
                .addActionsItem(new Action(new BulkAction().kind(BulkAction.KindEnum.BULK).type(BulkAction.TypeEnum.EXEMPT)
                        .ids(List.of("HW-1", "HW-2")).params(new BulkParams().exemptTime(24))))
                .addActionsItem(new Action(new CapabilityAction().kind(CapabilityAction.KindEnum.CAPABILITY).device("lamp-1")
                        .addActionsItem(new CapabilityChange().type(CapabilityChange.TypeEnum.DEVICES_CAPABILITIES_ON_OFF)
                                .state(new CapabilityState().instance("on").value(true)))))
                .addActionsItem(new Action(new CommandAction().kind(CommandAction.KindEnum.COMMAND).id("later").device(unique("gw"))
                        .command("reboot").params(Map.of("delay", 5)).notBefore(later)));

        String requestId = requests.submitRequest(document, null).getContent().getRequestId();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> requests.getRequestStatus(requestId).getContent().getIntakeComplete());
        List<CommandStatus> items = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> page(APIListCommandStatusRequest.newBuilder().request(request).build()).getItems(),
                        all -> all.size() == 5 && all.stream().filter(c -> !c.getKind().equals("command")).allMatch(c -> FINAL.contains(c.getState())));

        assertThat(requestId).isEqualTo(request);
        assertThat(items).extracting(CommandStatus::getKind).containsExactly("credentials", "bulk", "bulk", "capability", "command");
        assertThat(items).filteredOn(c -> !c.getKind().equals("command")).extracting(CommandStatus::getState)
                .containsOnly(CommandState.COMMAND_SUCCESS);
        CommandStatus command = items.get(4);
        assertThat(command.getState()).isEqualTo(CommandState.COMMAND_SCHEDULED);
        assertThat(command.getNotBefore()).isEqualTo(later);
        assertThat(command.getActionId()).isEqualTo("later");
        assertThat(command.getParams()).containsEntry("delay", 5);
        CommandStatusWithTransitions credentials = statuses.getCommandStatus(items.get(0).getId()).getContent();
        assertThat(credentials.getDevice()).isEqualTo(door);
        assertThat(credentials.getTransitions()).extracting(Transition::getTo)
                .containsSubsequence(CommandState.COMMAND_QUEUED, CommandState.COMMAND_INITIATED, CommandState.COMMAND_SUCCESS);
        assertThat(credentials.getVendorRequestIds()).isNotEmpty();
        assertThat(items.get(3).getCapabilities()).singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo("DONE"));
    }

    @Test
    void pagesAndFiltersTyped() throws Exception {
        String request = unique("typed-pages");
        String a = unique("gw-a");
        String b = unique("gw-b");
        List<String> ids = submitActions(request, command(a, "one"), command(b, "two"), command(a, "three"), command(b, "four"));

        List<String> seen = new ArrayList<>();
        StatusPage page = page(APIListCommandStatusRequest.newBuilder().request(request).limit(2).build());
        page.getItems().forEach(c -> seen.add(c.getId()));
        while (page.getHasMore()) {
            page = page(APIListCommandStatusRequest.newBuilder().request(request).limit(2).after(seen.get(seen.size() - 1)).build());
            page.getItems().forEach(c -> seen.add(c.getId()));
        }
        StatusPage onlyA = page(APIListCommandStatusRequest.newBuilder().requestEq(request).deviceIn(a).order("DESC")
                .include("total_count").build());

        assertThat(seen).containsExactlyElementsOf(ids);
        assertThat(onlyA.getItems()).extracting(CommandStatus::getId).containsExactly(ids.get(2), ids.get(0));
        assertThat(onlyA.getTotalCount()).isEqualTo(2);
    }

    @Test
    void readsAnErrorInTheErrorModel() {
        ApiException e = catchThrowableOfType(ApiException.class,
                () -> statuses.listCommandStatus(APIListCommandStatusRequest.newBuilder().limit(1).build()));

        assertThat(e.getCode()).isEqualTo(400);
        JsonNode body = TestBridge.json(e.getResponseBody());
        assertThat(body.path("type").asText()).isEqualTo("validation_error");
        assertThat(body.path("fields").findValuesAsText("name")).containsExactly("limit");
    }

    private StatusPage page(APIListCommandStatusRequest request) throws ApiException {
        return statuses.listCommandStatus(request).getContent();
    }
}
