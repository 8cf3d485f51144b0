package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Per-device tokens ({@code bridge.api.device-tokens-file}, {@code device_id=token}) over real HTTP:
 * with its own token a caller IS that device. It fetches only its own inbox (403 for any other,
 * telling nothing about it), reports only on its own commands (any other is answered exactly as
 * an unknown id), and may use no other endpoint; the shared device token keeps working beside it.
 */
class PerDeviceTokenTest extends StatusApiTestSupport {

    static final String GATE = "gw-gate";
    static final String GATE_TOKEN = "dt_gate_3f9a1c7e5b2d4f60";
    static final String PUMP = "gw-pump";
    static final String PUMP_TOKEN = "dt_pump_8b1e6d2c9a4f7e31";
    static final String LAMP = "lamp 7";                // a device id with a space, escaped in the file
    static final String LAMP_TOKEN = "dt_lamp_0c5f2a9e7d3b1c84";

    @Override
    Map<String, String> moreProperties() {
        Path file = sharedDir.resolve("device-tokens.properties");
        write(file, "# device_id=token, one per line\n" + GATE + "=" + GATE_TOKEN + "\n" + PUMP + " = " + PUMP_TOKEN + "\n"
                + "lamp\\ 7=" + LAMP_TOKEN + "\n");
        return Map.of("bridge.api.device-tokens-file", file.toString());
    }

    @Test
    void aDeviceFetchesItsOwnInboxWithItsOwnToken() {
        String id = submitActions(unique("own"), command(GATE, "open")).get(0);

        HttpResponse<String> r = get(INBOX + "?device_id=" + GATE, GATE_TOKEN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(content(r).path("commands").findValuesAsText("id")).contains(id);
        assertThat(stateOf(id)).isEqualTo("Command Initiated");
    }

    @Test
    void readsADeviceIdWithASpaceEscapedInTheFile() {
        String id = submitActions(unique("lamp"), command(LAMP, "on")).get(0);

        HttpResponse<String> r = get(INBOX + "?device_id=" + query(LAMP), LAMP_TOKEN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(content(r).path("commands").findValuesAsText("id")).contains(id);
    }

    @Test
    void refusesAnotherDevicesInboxWith403TellingNothingAboutIt() {
        String pumps = submitActions(unique("theirs"), command(PUMP, "stop")).get(0);

        HttpResponse<String> known = get(INBOX + "?device_id=" + PUMP, GATE_TOKEN);
        HttpResponse<String> unknown = get(INBOX + "?device_id=" + unique("no-such-device"), GATE_TOKEN);

        assertError(known, 403, "own");
        assertError(unknown, 403, "own");
        assertThat(message(known)).isEqualTo(message(unknown)).doesNotContain(PUMP);
        assertThat(known.body()).doesNotContain(pumps).doesNotContain("stop");
        assertThat(stateOf(pumps)).as("nothing delivered").isEqualTo("Command Queued");
    }

    @Test
    void answersAnotherDevicesCommandExactlyAsAnUnknownId() {
        String pumps = submitActions(unique("theirs"), command(PUMP, "stop")).get(0);
        String cloud = submitActions(unique("cloud"), bulk(GATE)).get(0);   // a cloud command on the same device id is not its own either
        String unknown = "00000000-0000-0000-0000-000000000000";
        get(INBOX + "?device_id=" + PUMP, PUMP_TOKEN);

        for (String body : List.of(stateJson("Command Acknowledged"), stateJson("Command Success"), "{}", "not json")) {
            HttpResponse<String> theirs = putState(pumps, GATE_TOKEN, body);
            HttpResponse<String> onCloud = putState(cloud, GATE_TOKEN, body);
            HttpResponse<String> none = putState(unknown, GATE_TOKEN, body);

            for (HttpResponse<String> r : List.of(theirs, onCloud, none)) {
                assertError(r, 404, "Not Found");
            }
            assertThat(message(theirs).replace(pumps, unknown)).isEqualTo(message(onCloud).replace(cloud, unknown)).isEqualTo(message(none));
        }
        assertThat(transitionsOf(pumps)).containsExactly("Command Queued", "Command Initiated");
    }

    @Test
    void aDeviceReportsProgressOnItsOwnCommands() {
        String id = submitActions(unique("report"), command(GATE, "open")).get(0);
        get(INBOX + "?device_id=" + GATE, GATE_TOKEN);

        HttpResponse<String> ack = putState(id, GATE_TOKEN, stateJson("Command Acknowledged"));
        HttpResponse<String> done = putState(id, GATE_TOKEN, stateJson("Command Success"));

        assertThat(List.of(ack.statusCode(), done.statusCode())).containsExactly(200, 200);
        assertThat(stateOf(id)).isEqualTo("Command Success");
    }

    @Test
    void refusesADevicesOwnTokenOnEveryOtherEndpointWith401() {
        String id = submitActions(unique("other"), command(GATE, "open")).get(0);

        assertError(get(STATUS, GATE_TOKEN), 401, unauthorized());
        assertError(get(STATUS + "?device=" + GATE, GATE_TOKEN), 401, unauthorized());
        assertError(get(STATUS + id + "/", GATE_TOKEN), 401, unauthorized());
        assertError(post(REQUESTS, GATE_TOKEN, "application/json", Batches.document(unique("dev"), command(GATE, "open"))), 401,
                unauthorized());
    }

    @Test
    void keepsTheSharedDeviceTokenWorkingForEveryDevice() {
        String pumps = submitActions(unique("shared"), command(PUMP, "start")).get(0);

        HttpResponse<String> inbox = get(INBOX + "?device_id=" + PUMP, DEVICE_TOKEN);
        HttpResponse<String> report = putState(pumps, DEVICE_TOKEN, stateJson("Command Acknowledged"));

        assertThat(content(inbox).path("commands").findValuesAsText("id")).contains(pumps);
        assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
    }

    @Test
    void neverWritesADevicesTokenToTheLog() throws IOException {
        String id = submitActions(unique("quiet"), command(GATE, "open")).get(0);
        get(INBOX + "?device_id=" + GATE, GATE_TOKEN);
        putState(id, GATE_TOKEN, stateJson("Command Acknowledged"));
        get(INBOX + "?device_id=" + PUMP, GATE_TOKEN);

        assertThat(LeakSearch.testLog()).contains(id).doesNotContain(GATE_TOKEN).doesNotContain(PUMP_TOKEN).doesNotContain(LAMP_TOKEN);
    }

    @Test
    void refusesToStartOnABadTokensFileNamingTheKeyAndTheDeviceButNoToken() throws IOException {
        String shortToken = "short-9";
        String shared = "dt_shared_5a7c9e1b3d5f7a9c";
        Map<String, String> files = Map.of(
                "gw-short=" + shortToken + "\n", "gw-short",
                "gw-a=" + shared + "\ngw-b=" + shared + "\n", "gw-",
                "gw-op=" + OPERATOR_TOKEN + "\n", "gw-op");
        int n = 0;
        for (var f : files.entrySet()) {
            Path file = sharedDir.resolve("bad-tokens-" + n + ".properties");
            write(file, f.getKey());
            TestBridge bad = TestBridge.in(sharedDir.resolve("bad-" + n++), server.baseUrl() + "/access", Map.of(
                    "bridge.api.token", OPERATOR_TOKEN, "bridge.api.device-tokens-file", file.toString()));

            assertThatThrownBy(bad::start).hasStackTraceContaining("bridge.api.device-tokens-file").hasStackTraceContaining(f.getValue())
                    .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(shortToken).doesNotContain(shared).doesNotContain(OPERATOR_TOKEN));
            bad.close();
        }
        TestBridge missing = TestBridge.in(sharedDir.resolve("bad-missing"), server.baseUrl() + "/access", Map.of(
                "bridge.api.device-tokens-file", sharedDir.resolve("no-such-file").toString()));
        assertThatThrownBy(missing::start).hasStackTraceContaining("bridge.api.device-tokens-file cannot read");
        missing.close();
        assertThat(LeakSearch.testLog()).doesNotContain(shortToken).doesNotContain(shared);
    }

    private static String message(HttpResponse<String> r) {
        JsonNode body = TestBridge.json(r.body());
        return body.path("message").asText();
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
