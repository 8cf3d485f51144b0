package org.devicebridge;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console's door over plain HTTP (docs/console.md): the page a browser gets with and
 * without a session, the login and its cookie, the anti-forgery token a session's changes need,
 * and the logout. The console in a real browser is {@link ConsoleBrowserTest}.
 */
class ConsoleSessionTest extends StatusApiTestSupport {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void servesTheLoginPageWithoutASessionAndTheConsoleWithOne() {
        HttpResponse<String> anonymous = send(page(null));
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(anonymous.body()).contains("id=\"login\"").contains("type=\"password\"").doesNotContain("console.js");
        assertThat(anonymous.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("default-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(anonymous.headers().firstValue("X-Frame-Options")).hasValue("DENY");

        HttpResponse<String> console = send(page(login().cookie()));
        assertThat(console.body()).contains("console/console.js").doesNotContain("id=\"login\"");
    }

    @Test
    void logsInOnlyWithTheOperatorTokenAndHandsOverAnHttpOnlySameSiteStrictCookie() {
        HttpResponse<String> wrong = send(loginRequest("{\"token\":\"" + DEVICE_TOKEN + "\"}", "application/json"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(send(loginRequest("token=nope", "application/x-www-form-urlencoded")).statusCode()).isEqualTo(401);

        HttpResponse<String> ok = send(loginRequest("{\"token\":\"" + OPERATOR_TOKEN + "\"}", "application/json"));
        assertThat(ok.statusCode()).isEqualTo(200);
        String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("bridge_console=").contains("; HttpOnly").contains("; SameSite=Strict").contains("; Path=/")
                .doesNotContain(OPERATOR_TOKEN);
        assertThat(ok.body()).doesNotContain(OPERATOR_TOKEN);

        HttpResponse<String> form = send(loginRequest("token=" + OPERATOR_TOKEN, "application/x-www-form-urlencoded"));
        assertThat(form.statusCode()).as("the form without the script: back to the console").isEqualTo(303);
        assertThat(form.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).startsWith("bridge_console="));
    }

    @Test
    void aSessionReadsLikeTheOperatorTokenAndChangesOnlyWithItsAntiForgeryToken() {
        List<String> ids = submitActions(unique("console-csrf"), "{\"kind\":\"command\",\"device\":\"" + unique("gw")
                + "\",\"command\":\"reboot\",\"not_before\":\"2099-12-01T02:00:00Z\"}");
        Session session = login();
        assertThat(send(withCookie(session.cookie(), "GET", STATUS + ids.get(0) + "/", null, null)).statusCode()).isEqualTo(200);

        HttpResponse<String> forged = send(withCookie(session.cookie(), "PUT", STATUS + ids.get(0) + "/", "{\"state\":\"Command Cancelled\"}", null));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("X-CSRF-Token");
        HttpResponse<String> otherToken = send(withCookie(session.cookie(), "PUT", STATUS + ids.get(0) + "/", "{\"state\":\"Command Cancelled\"}",
                "not-this-sessions-token"));
        assertThat(otherToken.statusCode()).isEqualTo(403);
        assertThat(stateOf(ids.get(0))).isEqualTo("Command Scheduled");

        HttpResponse<String> cancelled = send(withCookie(session.cookie(), "PUT", STATUS + ids.get(0) + "/", "{\"state\":\"Command Cancelled\"}",
                session.csrf()));
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(stateOf(ids.get(0))).isEqualTo("Command Cancelled");
    }

    @Test
    void aLoggedOutOrUnknownSessionOpensNothing() {
        Session session = login();
        assertThat(send(withCookie("bridge_console=made-up", "GET", "/console/v0/requests", null, null)).statusCode()).isEqualTo(401);

        HttpResponse<String> out = send(withCookie(session.cookie(), "POST", "/console/logout", "", session.csrf()));
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));

        assertThat(send(withCookie(session.cookie(), "GET", "/console/v0/requests", null, null)).statusCode()).isEqualTo(401);
        assertThat(send(page(session.cookie())).body()).contains("id=\"login\"");
    }

    // ---------------------------------------------------------------- HTTP

    private record Session(String cookie, String csrf) {
    }

    private Session login() {
        HttpResponse<String> r = send(loginRequest("{\"token\":\"" + OPERATOR_TOKEN + "\"}", "application/json"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        return new Session(cookie, content(r).path("csrf").asText());
    }

    private HttpRequest loginRequest(String body, String contentType) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + "/console/login")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpRequest page(String cookie) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + "/")).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return b.build();
    }

    private HttpRequest withCookie(String cookie, String method, String path, String body, String csrf) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Cookie", cookie)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return b.build();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
