package dev.tandem.serving.browser;

import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.ViewTable;
import dev.tandem.serving.http.ApiServer;
import dev.tandem.serving.query.Iso;
import dev.tandem.serving.query.QueryService;
import dev.tandem.serving.realtime.InMemoryRealtimeStore;
import dev.tandem.serving.testing.Layers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Headless Chromium (Debian's chromium + chromedriver) loads the dashboard from a server with
 * known data and checks that charts, tables and the status panel show the reference numbers.
 * Saves {@code target/dashboard.png}.
 */
@Tag("slow")
class DashboardBrowserTest {

    static final long START = t("2026-11-20T00:00:00Z");
    static final String RUN = "20261123T020000Z-spark-be11";
    static Map<String, ViewTable> tables;
    static long cutoff;
    static ApiServer server;
    static WebDriver driver;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(new File("/usr/bin/chromium").canExecute() && new File("/usr/bin/chromedriver").canExecute(),
                "Debian chromium and chromium-driver are installed");
        List<IngestedEvent> log = RandomLogs.generate(41, 2400, START);
        tables = ReferenceEvaluator.evaluate(log).views();
        long last = IngestTags.tagOf(log.stream().mapToLong(IngestedEvent::ingestTime).max().orElseThrow());
        cutoff = last - 10 * IngestTags.HOUR_MS;
        InMemoryRealtimeStore rt = Layers.realtime(tables, cutoff - 2 * IngestTags.HOUR_MS, Long.MAX_VALUE);
        QueryService svc = new QueryService(() -> Layers.batch(tables, cutoff, RUN), rt, () -> last + 20 * 60_000L);
        server = new ApiServer(svc, Map::of, null).start("127.0.0.1", 0);

        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        Path profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1440,1700");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    static long number(String text) {
        return Long.parseLong(text.replace(",", "").trim());
    }

    @Test
    void dashboardRendersChartsTablesAndStatusWithTheReferenceNumbers() throws Exception {
        driver.get("http://127.0.0.1:" + server.port() + "/");
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d ->
                "ready".equals(d.findElement(By.tagName("body")).getDomAttribute("data-state"))
                        || "error".equals(d.findElement(By.tagName("body")).getDomAttribute("data-state")));
        WebElement body = driver.findElement(By.tagName("body"));
        assertThat(body.getDomAttribute("data-state")).as(driver.findElement(By.id("warnings")).getText()).isEqualTo("ready");
        long from = Iso.parse("from", body.getDomAttribute("data-from"));
        long to = Iso.parse("to", body.getDomAttribute("data-to"));
        assertThat(to - from).isEqualTo(48 * IngestTags.HOUR_MS);

        // status panel
        assertThat(driver.findElement(By.id("status-batch-run")).getText()).isEqualTo(RUN);
        assertThat(driver.findElement(By.id("status-batch-cutoff")).getText())
                .isEqualTo(IngestTags.hourLabel(cutoff).replace('T', ' ') + "Z");
        assertThat(driver.findElement(By.id("status-speed")).getText()).isEqualTo("live");
        assertThat(driver.findElement(By.id("status-coverage")).getText()).isEqualTo("complete");

        // KPIs against the reference over the dashboard's range
        long[] expected = new long[3];
        tables.get("campaign_hourly").total().forEach((k, a) -> {
            if (k.bucketStart() >= from && k.bucketStart() < to) {
                expected[0] += a.longValue("impressions");
                expected[1] += a.longValue("clicks");
                expected[2] += a.longValue("attributed_clicks");
            }
        });
        assertThat(expected[0]).isPositive();
        assertThat(number(driver.findElement(By.id("kpi-impressions")).getText())).isEqualTo(expected[0]);
        assertThat(number(driver.findElement(By.id("kpi-clicks")).getText())).isEqualTo(expected[1]);
        assertThat(number(driver.findElement(By.id("kpi-attributed")).getText())).isEqualTo(expected[2]);
        long orders = tables.get("region_revenue_hourly").total().entrySet().stream()
                .filter(e -> e.getKey().bucketStart() >= from && e.getKey().bucketStart() < to)
                .mapToLong(e -> e.getValue().longValue("orders")).sum();
        assertThat(number(driver.findElement(By.id("kpi-orders")).getText())).isEqualTo(orders);
        Map<String, Long> revenueByCurrency = new java.util.TreeMap<>();
        tables.get("region_revenue_hourly").total().forEach((k, a) -> {
            if (k.bucketStart() >= from && k.bucketStart() < to) {
                revenueByCurrency.merge(k.dims().get(1), a.longValue("revenue_minor"), Long::sum);
            }
        });
        java.text.DecimalFormat money = new java.text.DecimalFormat("#,##0.00", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.US));
        String revenueText = driver.findElement(By.id("kpi-revenue")).getText();
        assertThat(revenueByCurrency).isNotEmpty();
        revenueByCurrency.forEach((currency, minor) ->
                assertThat(revenueText).contains(currency + " " + money.format(java.math.BigDecimal.valueOf(minor, 2))));

        // charts: uPlot canvases with the boundary at the cutoff, one point per hour
        for (String id : List.of("chart-traffic", "chart-ctr", "chart-revenue")) {
            WebElement chart = driver.findElement(By.id(id));
            assertThat(chart.findElements(By.tagName("canvas"))).as(id).isNotEmpty();
            assertThat(chart.getDomAttribute("data-boundary")).as(id).isEqualTo(Iso.format(cutoff));
            assertThat(chart.getDomAttribute("data-points")).as(id).isEqualTo("48");
        }

        // top search terms over the whole days covering the range
        long dayFrom = Math.floorDiv(from, IngestTags.DAY_MS) * IngestTags.DAY_MS;
        long dayTo = -Math.floorDiv(-to, IngestTags.DAY_MS) * IngestTags.DAY_MS;
        Map<String, Long> byTerm = new HashMap<>();
        tables.get("search_terms_daily").total().forEach((k, a) -> {
            if (k.bucketStart() >= dayFrom && k.bucketStart() < dayTo) {
                byTerm.merge(k.dims().get(0), a.longValue("occurrences"), Long::sum);
            }
        });
        Map.Entry<String, Long> top = byTerm.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .findFirst().orElseThrow();
        List<WebElement> terms = driver.findElements(By.cssSelector("#terms li"));
        assertThat(terms).hasSize(Math.min(20, byTerm.size()));
        assertThat(terms.get(0).findElement(By.className("term")).getText()).isEqualTo(top.getKey());
        assertThat(number(terms.get(0).findElement(By.className("count")).getText())).isEqualTo(top.getValue());

        // top campaigns table is filled
        assertThat(driver.findElements(By.cssSelector("#table-campaigns tbody tr"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("#table-revenue tbody tr"))).isNotEmpty();
        assertThat(driver.findElement(By.id("warnings")).isDisplayed()).isFalse();

        Path shot = Path.of("target", "dashboard.png");
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }
}
