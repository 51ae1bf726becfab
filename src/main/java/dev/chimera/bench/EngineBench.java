package dev.chimera.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.chimera.engine.Node;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.tensor.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The engine's own cost: synthetic candidates of fixed cost (a simulated merge, then a simulated evaluation) run
 * through the real actors, so everything beyond the fixed cost is engine overhead (dispatch, messages, journal,
 * optimizer). Measured with 1..N workers as CPU slots of one node and as one-slot nodes on loopback.
 */
public final class EngineBench {
    /** One configuration's measurements. */
    public record Row(
            String layout,
            int workers,
            int depth,
            int candidates,
            double seconds,
            double idealSeconds,
            double overheadPerCandidateMs,
            double steadyOverheadMs,
            double candidateMs,
            double throughputPerSec,
            double utilisation,
            double journalBytesPerCandidate,
            long otherBytes) {
        double overheadShare() {
            return overheadPerCandidateMs / candidateMs;
        }

        double steadyShare() {
            return steadyOverheadMs / candidateMs;
        }
    }

    private EngineBench() {}

    public static List<Row> run(
            Path work, List<Integer> workers, Duration build, Duration eval, int perWorker, PrintStream log)
            throws Exception {
        List<Row> rows = new ArrayList<>();
        Files.createDirectories(work);
        for (int w : workers) {
            rows.add(once(work, "slots", w, 2, build, eval, perWorker, log));
        }
        rows.add(once(work, "slots", workers.get(0), 1, build, eval, perWorker, log));
        for (int w : workers) {
            if (w > 1) {
                rows.add(once(work, "nodes", w, 2, build, eval, perWorker, log));
            }
        }
        return rows;
    }

    static Row once(
            Path work,
            String layout,
            int workers,
            int depth,
            Duration build,
            Duration eval,
            int perWorker,
            PrintStream log)
            throws Exception {
        Config cfg = ConfigFactory.parseString(
                        "chimera.engine.pipeline-depth = " + depth + "\nchimera.engine.idle-poll = 500ms")
                .withFallback(Node.loadConfig(null));
        String name = "bench-" + layout + "-" + workers + "-d" + depth;
        Path dir = work.resolve(name);
        FileTrees.deleteRecursively(dir);
        int n = perWorker * workers;
        Path runFile = work.resolve(name + ".conf");
        // random search hands out candidates without generation barriers: the measure is the engine, not the algorithm
        Files.writeString(
                runFile, """
                run {
                  name = %s
                  output = "%s"
                  seed = 1
                  genome { type = box, dimension = 16, min = -1, max = 1, build-cost = %dms }
                  algorithm { name = random, settings { batch = %d } }
                  objectives = [ { name = f, synthetic = sphere, cost = %dms } ]
                  budget { evaluations = %d }
                }
                """.formatted(name, dir, build.toMillis(), Math.max(8, 4 * workers), eval.toMillis(), n));
        List<Node> nodes = new ArrayList<>();
        try {
            Node.Options base = Node.Options.defaults().withPort(0).withControlPort(-1);
            if (layout.equals("slots")) {
                nodes.add(Node.start(cfg, base.withDevices(List.of("cpu:" + workers))));
            } else {
                nodes.add(Node.start(cfg, base.withDevices(List.of("cpu"))));
                for (int i = 1; i < workers; i++) {
                    nodes.add(Node.start(
                            cfg,
                            base.withDevices(List.of("cpu"))
                                    .withSeeds(List.of(nodes.get(0).clusterAddress()))));
                }
            }
            Node head = nodes.get(0);
            awaitWorkers(head, workers);
            long t0 = System.nanoTime();
            Protocol.SubmitReply r = head.submit(RunSpec.load(runFile).text(), null)
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            if (!r.ok()) {
                throw new IllegalStateException(r.error());
            }
            Protocol.Status s;
            do {
                Thread.sleep(5);
                s = head.status(name).toCompletableFuture().get(30, TimeUnit.SECONDS);
            } while (!s.done());
            double secs = (System.nanoTime() - t0) / 1e9;
            double cand = build.toMillis() + eval.toMillis();
            // with pipelining the merge of k+1 hides behind the evaluation of k: the evaluator is the bottleneck
            double perWorkerMs = depth >= 2 ? Math.max(build.toMillis(), eval.toMillis()) : cand;
            // plus, with pipelining, the first merge that nothing hides
            double ideal = n * perWorkerMs / 1000.0 / workers + (depth >= 2 ? build.toMillis() / 1000.0 : 0);
            double overhead = (secs - ideal) * 1000.0 * workers / n;
            double util = s.workers().stream()
                    .mapToDouble(Protocol.WorkerStatus::utilisation)
                    .average()
                    .orElse(0);
            long journal = Files.size(dir.resolve(Journal.FILE));
            // steady state: the spacing of results once the pipeline is full, without run start and finish
            var times = Journal.read(dir).stream()
                    .filter(e -> e instanceof RunEvent.Evaluated)
                    .mapToLong(RunEvent::time)
                    .sorted()
                    .toArray();
            // w workers finish in rounds of w results: measure whole rounds, skipping the first two
            int rounds = times.length / workers;
            int skipRounds = Math.min(2, rounds / 4);
            int first = skipRounds * workers;
            double steady = (double) (times[times.length - 1] - times[first]) / (rounds - 1 - skipRounds) - perWorkerMs;
            long other;
            try (Stream<Path> files = Files.walk(dir)) {
                other = files.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().equals(Journal.FILE))
                        .mapToLong(EngineBench::size)
                        .sum();
            }
            Row row = new Row(
                    layout,
                    workers,
                    depth,
                    n,
                    secs,
                    ideal,
                    overhead,
                    steady,
                    perWorkerMs,
                    n / secs,
                    util,
                    (double) journal / n,
                    other);
            log.printf(
                    Locale.ROOT,
                    "%s: %d worker(s), depth %d: %d candidates in %.2f s (ideal %.2f s), overhead %.2f ms/candidate"
                            + " end to end, %.2f ms in steady state%n",
                    layout,
                    workers,
                    depth,
                    n,
                    secs,
                    ideal,
                    overhead,
                    steady);
            return row;
        } finally {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
        }
    }

    /** Waits until the coordinator has heard from every worker (they announce themselves when idle). */
    private static void awaitWorkers(Node head, int workers) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            Protocol.Status s = head.status("none").toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (s.workers().size() >= workers) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("workers did not register in time");
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Prints the table of docs/benchmarks.md. */
    public static void table(List<Row> rows, PrintStream out) {
        double base = rows.get(0).throughputPerSec() / rows.get(0).workers();
        out.println(
                "| layout | workers | pipeline depth | candidates | wall (s) | ideal (s) | overhead / candidate, end to end (ms) | share |"
                        + " steady-state overhead (ms) | share | throughput (cand/s) | scaling efficiency | evaluator utilisation |"
                        + " journal bytes / candidate | other bytes written (whole run) |");
        out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Row r : rows) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %.2f | %.2f | %.2f | %.2f %% | %.2f | %.2f %% | %.2f | %.0f %% | %.1f %% | %.0f | %d |%n",
                    r.layout(),
                    r.workers(),
                    r.depth(),
                    r.candidates(),
                    r.seconds(),
                    r.idealSeconds(),
                    r.overheadPerCandidateMs(),
                    100 * r.overheadShare(),
                    r.steadyOverheadMs(),
                    100 * r.steadyShare(),
                    r.throughputPerSec(),
                    100 * r.throughputPerSec() / (r.workers() * base),
                    100 * r.utilisation(),
                    r.journalBytesPerCandidate(),
                    r.otherBytes());
        }
    }
}
