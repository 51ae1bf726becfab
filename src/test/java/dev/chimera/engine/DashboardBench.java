package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.cli.CliRun;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The dashboard with 10,000 candidates against 1,000 (the baseline, same run of the benchmark): a finished synthetic
 * run's page opened in headless chromium, timed from navigation until every candidate is plotted, with the page's
 * longest main-thread task. A benchmark, not a test: runs only with {@code -Dchimera.bench=dashboard} (docs/benchmarks.md).
 */
class DashboardBench {
    @Test
    void replayOf1kAnd10kCandidates(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue("dashboard".equals(System.getProperty("chimera.bench")), "-Dchimera.bench=dashboard");
        DashboardBrowserTest.start();
        try {
            for (int n : new int[] {1_000, 10_000}) {
                String id = "bench" + n + "-" + System.nanoTime() % 1000;
                Path f = EngineTestSupport.syntheticRun(
                        tmp, id, 1, "random", "population = 100", "evaluations = " + n, "0ms");
                CliRun r = CliRun.of(
                        "run",
                        f.toString(),
                        "--node",
                        DashboardBrowserTest.node.controlAddress(),
                        "--token",
                        "s3cret",
                        "--detach");
                assertEquals(0, r.code(), r.err());
                DashboardBrowserTest.awaitDone(id);
                long evaluated = Journal.read(tmp.resolve("out-" + id)).stream()
                        .filter(e -> e instanceof RunEvent.Evaluated)
                        .count();
                long t0 = System.nanoTime();
                DashboardBrowserTest.browser.get(
                        "http://" + DashboardBrowserTest.node.controlAddress() + "/ui/run.html?run=" + id);
                while (DashboardBrowserTest.jsLong(
                                "return window.chimeraDashboard ? window.chimeraDashboard.fitnessPoints() : 0")
                        < evaluated) {
                    Thread.sleep(5);
                }
                double wall = (System.nanoTime() - t0) / 1e6;
                @SuppressWarnings("unchecked")
                Map<String, Object> perf = (Map<String, Object>) ((JavascriptExecutor) DashboardBrowserTest.browser)
                        .executeScript("return window.chimeraDashboard.perf()");
                Object longTasks = ((JavascriptExecutor) DashboardBrowserTest.browser)
                        .executeScript("return Math.max(0, ...window.chimeraDashboard.perf().longTasks"
                                + ".map(t => t.duration || t[0] || 0))");
                System.out.printf(
                        "dashboard bench: %d candidates (%d events): navigation -> all plotted %.0f ms (page: %s ms),"
                                + " longest redraw %s ms, longest long task %s ms%n",
                        evaluated,
                        perf.get("events"),
                        wall,
                        perf.get("fitnessPlottedMs"),
                        perf.get("flushMaxMs"),
                        longTasks);
            }
        } finally {
            DashboardBrowserTest.stop();
        }
    }
}
