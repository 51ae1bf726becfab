package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunState;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless browser (Debian's chromium + chromium-driver, installed by .ci/run; skipped
 * when absent): the charts of a finished single-objective run and of a two-objective run hold the journal's
 * points, a pause click pauses the run (the status agrees), an action without the token is refused. Screenshots go
 * to target/screenshots (and to docs/ with -Dchimera.screenshots=docs).
 */
class DashboardBrowserTest {
    static Node node;
    static WebDriver browser;

    static Optional<String> which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) {
                return Optional.of(f.getAbsolutePath());
            }
        }
        return Optional.empty();
    }

    @BeforeAll
    static void start() {
        Optional<String> chromium = which("chromium");
        Optional<String> driver = which("chromedriver");
        Assumptions.assumeTrue(chromium.isPresent() && driver.isPresent(), "chromium and chromedriver not installed");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(chromium.get());
        o.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1400,2400");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driver.get()))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, o);
        node = Node.start(
                EngineTestSupport.config(),
                EngineTestSupport.localOptions("cpu:2").withControlPort(0).withToken("s3cret"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (node != null) {
            node.close();
        }
    }

    static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    static long jsLong(String script) {
        return ((Number) js(script)).longValue();
    }

    static void waitFor(Supplier<Boolean> condition, String what) {
        new WebDriverWait(browser, Duration.ofSeconds(60)).withMessage(what).until(d -> condition.get());
    }

    static void screenshot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Path dir = Files.createDirectories(Path.of("target/screenshots"));
        Files.write(dir.resolve(name), png);
        String docs = System.getProperty("chimera.screenshots");
        if (docs != null) {
            Files.write(Files.createDirectories(Path.of(docs)).resolve(name), png);
        }
    }

    static void submit(Path runFile) {
        CliRun r =
                CliRun.of("run", runFile.toString(), "--node", node.controlAddress(), "--token", "s3cret", "--detach");
        assertEquals(0, r.code(), r.err());
    }

    static void awaitDone(String runId) throws Exception {
        while (!node.status(runId).toCompletableFuture().get().done()) {
            Thread.sleep(50);
        }
    }

    static long evaluated(Path runDir) {
        return Journal.read(runDir).stream()
                .filter(e -> e instanceof RunEvent.Evaluated)
                .count();
    }

    @Test
    void chartsHoldTheJournalsPoints(@TempDir Path tmp) throws Exception {
        Path f =
                EngineTestSupport.syntheticRun(tmp, "single", 3, "cmaes", "population = 6", "evaluations = 120", "5ms");
        submit(f);
        browser.get("http://" + node.controlAddress() + "/ui/run.html?run=single");
        waitFor(
                () -> Boolean.TRUE.equals(js("return window.chimeraDashboard && window.chimeraDashboard.ready()")),
                "the dashboard did not get ready");
        awaitDone("single");
        Path out = tmp.resolve("out-single");
        long journal = Journal.read(out).size();
        waitFor(
                () -> jsLong("return window.chimeraDashboard.eventsReceived()") == journal,
                "the page did not receive every journal event");
        waitFor(
                () -> jsLong("return window.chimeraDashboard.fitnessPoints()") == evaluated(out),
                "the fitness chart does not hold every evaluated candidate");
        assertTrue(jsLong("return window.chimeraDashboard.generations()") > 0);
        waitFor(() -> browser.findElement(By.id("state")).getText().contains("FINISHED"), "state not shown");
        screenshot("dashboard-run.png");
        browser.get("http://" + node.controlAddress() + "/ui/");
        waitFor(() -> browser.findElement(By.tagName("body")).getText().contains("single"), "runs list");
        screenshot("dashboard-runs.png");
    }

    @Test
    void paretoFrontOfTwoObjectives(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("two.conf");
        Files.writeString(f, """
                run {
                  name = two
                  output = "%s"
                  seed = 4
                  genome { type = box, dimension = 3, min = -1, max = 1 }
                  algorithm { name = nsga2, settings { population = 8 } }
                  objectives = [
                    { name = near, synthetic = sphere, center = 0.5, cost = 5ms }
                    { name = far, synthetic = sphere, center = -0.5, cost = 5ms }
                  ]
                  budget { evaluations = 96 }
                }
                """.formatted(tmp.resolve("out-two")));
        submit(f);
        browser.get("http://" + node.controlAddress() + "/ui/run.html?run=two");
        awaitDone("two");
        long evaluated = evaluated(tmp.resolve("out-two"));
        waitFor(
                () -> jsLong("return window.chimeraDashboard.paretoPoints()") == evaluated,
                "the Pareto chart does not hold every evaluated candidate");
        screenshot("dashboard-pareto.png");
    }

    @Test
    void pauseNeedsTheTokenAndPauses(@TempDir Path tmp) throws Exception {
        Path f = EngineTestSupport.syntheticRun(
                tmp, "slow", 5, "cmaes", "population = 4", "evaluations = 100000", "100ms");
        submit(f);
        browser.get("http://" + node.controlAddress() + "/ui/run.html?run=slow");
        waitFor(
                () -> Boolean.TRUE.equals(js("return window.chimeraDashboard && window.chimeraDashboard.ready()")),
                "the dashboard did not get ready");
        js("localStorage.removeItem('chimera-token')");
        browser.findElement(By.id("token")).clear();
        browser.findElement(By.id("pause")).click();
        waitFor(
                () -> jsLong("return window.chimeraDashboard.lastActionStatus() || 0") == 401,
                "a pause without the token was not refused");
        assertEquals(
                RunState.Status.RUNNING,
                node.status("slow").toCompletableFuture().get().state());
        browser.findElement(By.id("token")).sendKeys("s3cret");
        browser.findElement(By.id("pause")).click();
        waitFor(() -> jsLong("return window.chimeraDashboard.lastActionStatus() || 0") == 200, "pause failed");
        assertEquals(
                RunState.Status.PAUSED,
                node.status("slow").toCompletableFuture().get().state());
        // the status endpoint agrees
        String status = DashboardServerTest.get(node, "/api/runs/slow").body();
        assertTrue(status.contains("\"state\":\"PAUSED\""), status);
        waitFor(() -> browser.findElement(By.id("state")).getText().contains("PAUSED"), "the page shows the pause");
        browser.findElement(By.id("stop")).click();
        awaitDone("slow");
        assertEquals(
                List.of(RunState.Status.STOPPED),
                List.of(node.status("slow").toCompletableFuture().get().state()));
    }
}
