package dev.ferry.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.testing.TestAuthService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The admin page in a real browser (headless chromium) against a real broker on loopback: what it
 * shows matches {@code /stats}, and what it does reaches the engine.
 */
class AdminPageBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newHttpClient();
    private LocalEngine engine;
    private NsqTcpServer tcp;
    private NsqTcpServer api;
    private TestAuthService auth;
    private WireClient consumer;

    /** One browser for the class: starting chromium is the slow part. */
    private static ChromeDriver browser;

    @BeforeAll
    static void startBrowser() {
        browser = HeadlessChromium.start(1280, 900);
    }

    @AfterAll
    static void quitBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private void startBroker(AuthSettings authSettings) {
        engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
        NsqTcpServer.Builder servers = NsqTcpServer.builder(engine).auth(authSettings);
        tcp = servers.startTcp("127.0.0.1", 0);
        api = servers.startHttp("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws IOException {
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get("about:blank");
        if (consumer != null) {
            consumer.close();
        }
        if (api != null) {
            api.close();
            tcp.close();
            engine.close();
        }
        if (auth != null) {
            auth.close();
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + api.port() + path;
    }

    private HttpResponse<String> request(String method, String path, String body) {
        return http.sendAsync(
                        HttpRequest.newBuilder(URI.create(url(path)))
                                .method(method, HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .join();
    }

    private JsonNode stats() {
        try {
            return JSON.readTree(request("GET", "/stats?format=json&include_clients=true", "")
                    .body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode topicStats(String topic) {
        for (JsonNode t : stats().get("topics")) {
            if (t.get("topic_name").asText().equals(topic)) {
                return t;
            }
        }
        return null;
    }

    private JsonNode channelStats(String topic, String channel) {
        JsonNode t = topicStats(topic);
        if (t != null) {
            for (JsonNode c : t.get("channels")) {
                if (c.get("channel_name").asText().equals(channel)) {
                    return c;
                }
            }
        }
        return null;
    }

    /** Topic {@code orders} with channels billing (a consumer holds 2 in flight) and audit, 5 messages. */
    private void publishOrders() throws IOException {
        request("POST", "/topic/create?topic=orders", "");
        request("POST", "/channel/create?topic=orders&channel=billing", "");
        request("POST", "/channel/create?topic=orders&channel=audit", "");
        for (int i = 0; i < 5; i++) {
            assertThat(request("POST", "/pub?topic=orders", "order " + i).statusCode())
                    .isEqualTo(200);
        }
        consumer = new WireClient(tcp.port());
        assertThat(consumer.send("SUB orders billing\nRDY 2\n", null)).isEqualTo("OK");
        consumer.read();
        consumer.read();
        await().atMost(WAIT)
                .until(() ->
                        channelStats("orders", "billing").get("in_flight_count").asLong() == 2);
    }

    /**
     * The number the page shows in cell {@code field} of the row {@code row} selects (its {@code
     * data-value}), read in one step in the page, so that a refresh cannot come between finding the
     * cell and reading it.
     */
    private static long shown(String row, String field) {
        Object value = browser.executeScript(
                "const r = document.querySelector(arguments[0]);"
                        + " const c = r && r.querySelector('[data-field=\"' + arguments[1] + '\"]');"
                        + " return c ? c.dataset.value : null;",
                row,
                field);
        assertThat(value).as("cell " + field + " of " + row).isNotNull();
        return Long.parseLong((String) value);
    }

    private static String channel(String name) {
        return "#channels tr[data-channel='" + name + "']";
    }

    private WebElement channelRow(String channel) {
        return browser.findElement(By.cssSelector(channel(channel)));
    }

    private static boolean present(WebDriver driver, By by) {
        return !driver.findElements(by).isEmpty();
    }

    @Test
    void shouldShowTheNumbersOfStatsAndPauseAChannelThroughThePage() throws Exception {
        startBroker(null);
        publishOrders();

        // the topics: the same numbers as /stats
        browser.get(url("/admin/"));
        await().atMost(WAIT).until(() -> present(browser, By.cssSelector("#topics tr[data-topic='orders']")));
        String row = "#topics tr[data-topic='orders']";
        JsonNode topic = topicStats("orders");
        long channelDepths = 0;
        long inFlight = 0;
        for (JsonNode c : topic.get("channels")) {
            channelDepths += c.get("depth").asLong();
            inFlight += c.get("in_flight_count").asLong();
        }
        assertThat(shown(row, "message_count"))
                .isEqualTo(topic.get("message_count").asLong())
                .isEqualTo(5);
        assertThat(shown(row, "depth"))
                .isEqualTo(topic.get("depth").asLong() + channelDepths)
                .isEqualTo(8);
        assertThat(shown(row, "in_flight_count")).isEqualTo(inFlight).isEqualTo(2);
        assertThat(shown(row, "channels")).isEqualTo(2);

        // the topic's channels and clients
        browser.findElement(By.linkText("orders")).click();
        await().atMost(WAIT).until(() -> present(browser, By.cssSelector("#channels tr[data-channel='billing']")));
        for (String channel : List.of("billing", "audit")) {
            JsonNode c = channelStats("orders", channel);
            String r = channel(channel);
            assertThat(shown(r, "depth"))
                    .as(channel + " depth")
                    .isEqualTo(c.get("depth").asLong());
            assertThat(shown(r, "in_flight_count"))
                    .isEqualTo(c.get("in_flight_count").asLong());
            assertThat(shown(r, "message_count"))
                    .isEqualTo(c.get("message_count").asLong());
            assertThat(shown(r, "client_count")).isEqualTo(c.get("clients").size());
        }
        String client = "#clients tbody tr";
        assertThat(shown(client, "ready_count")).isEqualTo(2);
        assertThat(shown(client, "in_flight_count")).isEqualTo(2);
        assertThat(browser.findElement(By.cssSelector(client)).getText()).contains("billing", "127.0.0.1:");

        // pause billing through the page: /stats says paused
        channelRow("billing")
                .findElement(By.cssSelector("button[data-action='pause']"))
                .click();
        await().atMost(WAIT)
                .until(() -> channelStats("orders", "billing").get("paused").asBoolean());
        await().atMost(WAIT)
                .until(() -> present(
                        browser, By.cssSelector("#channels tr[data-channel='billing'] button[data-action='unpause']")));

        // delete asks first: cancel keeps the channel, confirm deletes it
        channelRow("audit")
                .findElement(By.cssSelector("button[data-action='delete']"))
                .click();
        await().atMost(WAIT).until(() -> browser.findElement(By.id("confirm")).isDisplayed());
        assertThat(browser.findElement(By.id("confirm-text")).getText()).contains("Delete channel audit");
        browser.findElement(By.id("confirm-cancel")).click();
        await().atMost(WAIT).until(() -> !browser.findElement(By.id("confirm")).isDisplayed());
        assertThat(channelStats("orders", "audit")).isNotNull();
        channelRow("audit")
                .findElement(By.cssSelector("button[data-action='delete']"))
                .click();
        await().atMost(WAIT).until(() -> browser.findElement(By.id("confirm")).isDisplayed());
        browser.findElement(By.id("confirm-ok")).click();
        await().atMost(WAIT).until(() -> channelStats("orders", "audit") == null);
        await().atMost(WAIT).until(() -> !present(browser, By.cssSelector("#channels tr[data-channel='audit']")));
    }

    @Test
    void shouldRefreshWithoutReloading() throws Exception {
        startBroker(null);
        publishOrders();
        browser.get(url("/admin/topic?topic=orders"));
        await().atMost(WAIT).until(() -> present(browser, By.cssSelector("#channels tr[data-channel='audit']")));
        browser.executeScript("window.loadedOnce = true");

        request("POST", "/pub?topic=orders", "one more");

        await().atMost(WAIT).until(() -> shown(channel("audit"), "depth") == 6);
        assertThat(browser.executeScript("return window.loadedOnce"))
                .as("the same page, not reloaded")
                .isEqualTo(true);
    }

    @Test
    void shouldAnswerAnUnknownTopicWithANotFoundPage() throws Exception {
        startBroker(null);
        HttpResponse<String> missing = request("GET", "/admin/topic?topic=nope", "");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(request("GET", "/admin/topic?topic=bad!name", "").statusCode())
                .isEqualTo(404);

        browser.get(url("/admin/topic?topic=nope"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Topic not found");
        assertThat(browser.findElement(By.id("not-found")).getText()).contains("no topic nope");
    }

    @Test
    void shouldFitAPhoneSizedScreen() throws Exception {
        startBroker(null);
        publishOrders();
        browser.manage().window().setSize(new Dimension(390, 844));
        for (String path : List.of("/admin/", "/admin/topic?topic=orders")) {
            browser.get(url(path));
            await().atMost(WAIT)
                    .until(() -> browser.findElement(By.tagName("body")).getAttribute("data-refreshed") != null);
            Object pageWidth = browser.executeScript("return document.documentElement.scrollWidth");
            Object viewport = browser.executeScript("return window.innerWidth");
            assertThat(((Number) pageWidth).longValue())
                    .as(path + " scrolls sideways only inside its tables")
                    .isLessThanOrEqualTo(((Number) viewport).longValue());
        }
    }

    @Test
    void shouldAskForTheSecretWhenTheBrokerGuardsItsActions() throws Exception {
        String grant = "{\"ttl\":3600,\"authorizations\":[{\"topic\":\".*\",\"channels\":[\".*\"],"
                + "\"permissions\":[\"publish\",\"subscribe\"]}]}";
        auth = TestAuthService.start(Map.of("s3cret", grant), "{\"message\":\"NO\"}");
        startBroker(auth.client());
        engine.createChannel("orders", "billing").toCompletableFuture().join();
        browser.get(url("/admin/topic?topic=orders"));
        await().atMost(WAIT).until(() -> present(browser, By.cssSelector("#channels tr[data-channel='billing']")));

        channelRow("billing")
                .findElement(By.cssSelector("button[data-action='pause']"))
                .click();
        await().atMost(WAIT)
                .until(() -> browser.findElement(By.id("secret-dialog")).isDisplayed());
        assertThat(channelStats("orders", "billing").get("paused").asBoolean()).isFalse();
        browser.findElement(By.id("secret-input")).sendKeys("s3cret");
        browser.findElement(By.id("secret-ok")).click();

        await().atMost(WAIT)
                .until(() -> channelStats("orders", "billing").get("paused").asBoolean());
    }
}
