package org.devicebridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator console (docs/console.md) in a real browser: Debian's headless Chromium driven
 * through its chromedriver (Selenium, the driver's path set explicitly: nothing is downloaded),
 * against the class's bridge on the simulated clouds. One browser for the class; the tests run in
 * the order an operator would go: log in, watch a request finish, read why a command failed,
 * cancel a queued one, look at the clouds and the webhooks.
 * <p>
 * Skipped, saying why, when {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is missing
 * (install them with {@code apt-get install -y chromium chromium-driver}, as {@code .ci/run} does);
 * a failure instead under {@code CI=true}. With {@code -Dconsole.screenshots=docs/console} the
 * main views are saved there as PNG files (the pictures of docs/console.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest extends StatusApiTestSupport {

    private static final Path CHROMIUM = Path.of(LocalServices.env("BRIDGE_TEST_CHROMIUM", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(LocalServices.env("BRIDGE_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final Duration LIVE = Duration.ofSeconds(20);

    private ChromeDriverService service;
    private WebDriver browser;
    private String finishedRequest;

    @Override
    Map<String, String> moreProperties() {
        // a webhook subscriber nobody listens for, so the webhooks view has a cursor, a lag and failures to show
        return Map.of("bridge.webhooks.subscribers", "audit",
                "bridge.webhooks.audit.url", "http://127.0.0.1:" + TestBridge.freePort() + "/hooks",
                "bridge.webhooks.audit.secret", "whsec_console_test_5d1c");
    }

    @BeforeAll
    void startBrowser() throws IOException {
        String missing = !Files.isExecutable(CHROMIUM) ? CHROMIUM + " is not installed"
                : !Files.isExecutable(CHROMEDRIVER) ? CHROMEDRIVER + " is not installed" : "";
        LocalServices.skipOrFailUnlessReachable("Chromium and its driver (apt-get install -y chromium chromium-driver)", missing);
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1440,900",
                "--user-data-dir=" + Files.createTempDirectory("console-browser"));
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().implicitlyWait(Duration.ZERO);
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
    }

    @Test
    @Order(1)
    void logsInWithTheOperatorTokenIntoAnHttpOnlySameSiteStrictSession() {
        browser.get(baseUrl() + "/");
        screenshot("login");
        login("not-the-token");
        await().atMost(LIVE).ignoreExceptions()
                .until(() -> browser.findElement(By.id("login-error")).getText().contains("not the operator token"));
        assertThat(browser.manage().getCookieNamed("bridge_console")).isNull();

        login(OPERATOR_TOKEN);

        await().atMost(LIVE).ignoreExceptions().until(() -> browser.findElement(By.tagName("h1")).getText().equals("Requests"));
        Cookie session = browser.manage().getCookieNamed("bridge_console");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        assertThat(session.getValue()).doesNotContain(OPERATOR_TOKEN);
        assertThat(browser.getCurrentUrl()).doesNotContain(OPERATOR_TOKEN);
        assertThat(((JavascriptExecutor) browser).executeScript("return document.cookie")).as("not readable by scripts").isEqualTo("");
    }

    @Test
    @Order(2)
    void showsARequestProgressToDoneLiveWithoutAReload() {
        sharedBridge(n -> n.latency(Duration.ofMillis(2500)), h -> h); // the bulk call takes longer than a poll of the page
        String requestId = unique("console-live");
        String good = unique("HW");
        String bad = unique("unknown");
        browser.get(baseUrl() + "/#/request/" + query(requestId)); // open before it exists: it appears, runs and finishes on this page
        ((JavascriptExecutor) browser).executeScript("window.sameDocument = true");

        submitActions(requestId, bulk(good, bad));

        await().atMost(LIVE).ignoreExceptions().until(() -> browser.findElement(By.id("request-state")).getText().equals("running"));
        screenshot("request-running");
        await().atMost(LIVE).ignoreExceptions().until(() -> browser.findElement(By.id("request-state")).getText().equals("finished"));
        String progress = browser.findElement(By.cssSelector("#request-head .bar")).getAttribute("aria-label");
        assertThat(progress).isEqualTo("2 of 2 done: 1 succeeded, 1 failed");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sameDocument")).as("updated in place, not reloaded")
                .isEqualTo(true);
        finishedRequest = requestId;

        browser.get(baseUrl() + "/#/requests");
        await().atMost(LIVE).ignoreExceptions().until(() -> browser.findElement(By.linkText(requestId)).isDisplayed());
    }

    @Test
    @Order(3)
    void opensAFailedCommandAndReadsItsReason() {
        assertThat(finishedRequest).as("the request of the test before").isNotNull();
        browser.get(baseUrl() + "/#/request/" + query(finishedRequest));
        new Select(await().atMost(LIVE).ignoreExceptions().until(() -> browser.findElement(By.id("c-state")), e -> true))
                .selectByVisibleText("Command Failure");
        browser.findElement(By.cssSelector("form.filters button[type=submit]")).click();
        await().atMost(LIVE).ignoreExceptions()
                .until(() -> browser.findElements(By.cssSelector("#request-commands tbody tr")).size() == 1
                        && browser.findElement(By.cssSelector("#request-commands tbody tr")).getText().contains("Command Failure"));
        screenshot("request");
        JsonNode failed = list("request=" + query(finishedRequest) + "&state=" + query("Command Failure")).path("items").get(0);

        browser.findElement(By.cssSelector("#request-commands tbody tr a")).click();

        await().atMost(LIVE).ignoreExceptions().until(() -> browser.findElement(By.id("command-state")).getText().equals("Command Failure"));
        assertThat(browser.findElement(By.id("command-reason")).getText()).isEqualTo(failed.path("reason").asText()).isNotBlank();
        String calls = browser.findElement(By.xpath("//table[caption[starts-with(., 'Calls made')]]")).getText();
        assertThat(calls).contains("bulk-action").contains("200");
        assertThat(browser.getPageSource()).doesNotContain(NETWORK_TOKEN);
        screenshot("command");
    }

    @Test
    @Order(4)
    void cancelsAQueuedCommandAfterConfirming() {
        String requestId = unique("console-cancel");
        String device = unique("gw");
        List<String> ids = submitActions(requestId, "{\"kind\":\"command\",\"device\":\"" + device
                + "\",\"command\":\"reboot\",\"not_before\":\"2099-12-01T02:00:00Z\"}");
        browser.get(baseUrl() + "/#/request/" + query(requestId));
        WebElement cancel = await().atMost(LIVE).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("button[aria-label='Cancel the command on " + device + "']")), b -> true);

        cancel.click();
        WebElement dialog = browser.findElement(By.id("confirm"));
        await().atMost(LIVE).until(dialog::isDisplayed);
        assertThat(dialog.getText()).contains("Cancel this command?").contains(device);
        screenshot("cancel-dialog");
        browser.findElement(By.id("confirm-no")).click();
        assertThat(stateOf(ids.get(0))).as("kept when the operator says no").isEqualTo("Command Scheduled");

        browser.findElement(By.cssSelector("button[aria-label='Cancel the command on " + device + "']")).click();
        browser.findElement(By.id("confirm-yes")).click();

        awaitState(ids.get(0), "Command Cancelled");
        await().atMost(LIVE).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("#request-commands tbody tr")).getText().contains("Command Cancelled"));
        assertThat(transitionsOf(ids.get(0))).last().isEqualTo("Command Cancelled");
    }

    @Test
    @Order(5)
    void showsTheCloudsAndTheWebhooks() {
        browser.get(baseUrl() + "/#/requests");
        await().atMost(LIVE).ignoreExceptions().until(() -> browser.findElements(By.cssSelector("#requests-data tbody tr")).size() >= 2);
        screenshot("requests");

        browser.get(baseUrl() + "/#/clouds");
        String clouds = await().atMost(LIVE).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("#clouds-data table")).getText(), t -> t.contains("network"));
        assertThat(clouds).contains("access").contains("home").containsPattern("\\d+ of \\d+ calls per");
        screenshot("clouds");

        browser.findElement(By.linkText("Webhooks and streams")).click();
        String hooks = await().atMost(LIVE).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("#fanout-data table")).getText(), t -> t.contains("audit"));
        assertThat(hooks).contains("webhook");
        screenshot("webhooks");
    }

    private void login(String token) {
        WebElement field = await().atMost(LIVE).ignoreExceptions().until(() -> browser.findElement(By.id("token")), f -> true);
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#login button[type=submit]")).click();
    }

    /** Saves the page as {@code <name>.png} in the folder {@code -Dconsole.screenshots} names (nothing without it). */
    private void screenshot(String name) {
        String folder = System.getProperty("console.screenshots");
        if (folder == null || folder.isBlank()) {
            return;
        }
        try {
            Path dir = Path.of(folder);
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
