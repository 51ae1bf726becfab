package dev.chimera.demo;

import static dev.chimera.demo.DemoTasks.seconds;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunFolder;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.run.SearchSpace;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.eval.TaskLoader;
import dev.chimera.tensor.AtomicFiles;
import dev.chimera.zoo.Zoo;
import dev.chimera.zoo.ZooBuilder;
import dev.chimera.zoo.ZooSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The end-to-end demo ({@code chimera demo}, docs/demo.md): builds or reuses the model zoo, writes a run file from
 * the template, runs the evolutionary search on an in-process single-node cluster (pausable and resumable like any
 * run), then scores the parents, uniform task-arithmetic merges and the evolved merge on the held-out test split and
 * reports the gains, the estimator's error and each phase's wall time; with {@code multiObjective}, the Pareto set of
 * the two skills and its plot.
 *
 * <p>An existing run folder is continued when it holds a demo made with the same options (a stopped or crashed run
 * resumes; a finished one is only evaluated again); any other existing, non-empty folder is refused untouched.
 */
public final class Demo {
    public static final String SUMMARY_JSON = "demo.json";
    public static final String SUMMARY_MD = "demo.md";
    public static final String PLOT = "pareto.svg";
    static final String MODE_SINGLE = "single";
    static final String MODE_MULTI = "multi";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule().addSerializer(Path.class, ToStringSerializer.instance));

    private final DemoOptions o;
    private final PrintStream out;
    private final Map<String, Double> phases = new LinkedHashMap<>();

    private Demo(DemoOptions o) {
        this.o = o;
        this.out = o.out();
    }

    /**
     * Runs the demo. Returns what it measured (also in the run folder's {@code demo.json} and {@code demo.md});
     * a run that was stopped or failed returns without the evaluation ({@link DemoResult#finished()} false).
     *
     * @throws DemoException for a bad option (named with its value) or a run folder that is not this demo's
     */
    public static DemoResult run(DemoOptions options) {
        return new Demo(options).go();
    }

    private DemoResult go() {
        long t0 = System.nanoTime();
        ZooSpec spec = o.zooSpec();
        validate(spec);
        boolean multi = o.multiObjective();
        Path runDir = (o.runDir() != null
                        ? o.runDir()
                        : Path.of(
                                "chimera-demo",
                                (multi ? "pareto" : "target") + "-seed" + o.seed() + "-"
                                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                .toAbsolutePath()
                .normalize();
        Path zooDir = (o.zooDir() != null ? o.zooDir() : ZooBuilder.defaultDir(spec, o.seed()))
                .toAbsolutePath()
                .normalize();
        Zoo zoo = new Zoo(zooDir);
        DemoRunFile.Rendered rendered = DemoRunFile.render(
                multi, o.template(), fields(runDir, zoo, spec), o.budget(), o.n(), o.responseCache());
        if (rendered.n() < 1 || rendered.n() > maxN(spec)) {
            throw new DemoException("demo.n = " + rendered.n() + " of template " + DemoRunFile.resource(multi)
                    + " is outside 1.." + maxN(spec) + " (the items of the search split); give --n");
        }
        if (rendered.budget() < 1) {
            throw new DemoException("demo.budget = " + rendered.budget() + " of template " + DemoRunFile.resource(multi)
                    + " must be >= 1; give --budget");
        }
        boolean continuing = checkRunDir(runDir, rendered.text());

        Engine.getEngine("PyTorch");
        int threads = JniUtils.getNumThreads();
        // the zoo's models are tiny: one intra-op thread is faster than two on a shared 2-core machine (docs/zoo.md)
        JniUtils.setNumThreads(1);
        try {
            return pipeline(zoo, spec, runDir, rendered, continuing, t0);
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    private void validate(ZooSpec spec) {
        if (o.seed() < 0) {
            throw new DemoException("--seed " + o.seed() + " must be >= 0 (the zoo seed)");
        }
        if (o.runSeed() != null && o.runSeed() < 0) {
            throw new DemoException("--run-seed " + o.runSeed() + " must be >= 0");
        }
        if (o.budget() != null && o.budget() < 1) {
            throw new DemoException("--budget " + o.budget() + " must be >= 1 (candidates the search evaluates)");
        }
        int most = maxN(spec);
        if (o.n() != null && (o.n() < 1 || o.n() > most)) {
            throw new DemoException(
                    "--n " + o.n() + " must be between 1 and " + most + " (the items of the search split"
                            + (o.multiObjective() ? "s of both skills" : " " + Zoo.TARGET_SEARCH) + ")");
        }
        if (o.estimatorCheck() < 0) {
            throw new DemoException("--check " + o.estimatorCheck() + " must be >= 0");
        }
        if (o.paretoHeldOut() < 0) {
            throw new DemoException("pareto held-out limit " + o.paretoHeldOut() + " must be >= 0");
        }
    }

    /** The most items a candidate can be scored on: the smallest search split the mode uses (checked again on the files). */
    private int maxN(ZooSpec spec) {
        return o.multiObjective() ? Math.min(spec.searchItems(), spec.skillItems()) : spec.searchItems();
    }

    private Map<String, String> fields(Path runDir, Zoo zoo, ZooSpec spec) {
        Map<String, String> f = new LinkedHashMap<>();
        String name = runDir.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "-");
        f.put("name", name);
        f.put("output", DemoRunFile.escape(runDir.toString()));
        f.put("seed", Long.toString(o.effectiveRunSeed()));
        f.put("base", DemoRunFile.escape(zoo.base().toString()));
        f.put("expert1", DemoRunFile.escape(zoo.expert1().toString()));
        f.put("expert2", DemoRunFile.escape(zoo.expert2().toString()));
        f.put("tasks", DemoRunFile.escape(zoo.dir().resolve("tasks").toString()));
        f.put("layers", Integer.toString(spec.layers()));
        // the genome's genes: a weight per expert for each layer, the embedding and the head
        int perModel = spec.layers() + 2;
        List<String> ones = Collections.nCopies(perModel, "1.0");
        List<String> zeros = Collections.nCopies(perModel, "0.0");
        f.put("uniform-genes", Collections.nCopies(2 * perModel, "1.0").toString());
        // genes are model-major (expert 1's groups, then expert 2's): expert 1 alone, expert 2 alone, both
        f.put(
                "parent-genes",
                List.of(concat(ones, zeros), concat(zeros, ones), concat(ones, ones))
                        .toString());
        f.put("search-items", Integer.toString(spec.searchItems()));
        return f;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    /**
     * True when {@code dir} holds this very demo (same run file) to continue; false when it is new or empty.
     *
     * @throws DemoException for any other existing folder or file (nothing is changed)
     */
    static boolean checkRunDir(Path dir, String runFile) {
        if (!Files.exists(dir)) {
            return false;
        }
        if (!Files.isDirectory(dir)) {
            throw new DemoException("--out " + dir + " exists and is not a folder; choose another --out");
        }
        Path conf = dir.resolve(DemoRunFile.FILE);
        if (!Files.isRegularFile(conf)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isEmpty()) {
                    return false;
                }
            } catch (IOException e) {
                throw new DemoException("cannot read --out " + dir + ": " + e.getMessage(), e);
            }
            throw new DemoException("--out " + dir + " exists and is not a chimera demo run folder (no "
                    + DemoRunFile.FILE + "); nothing was changed: choose a new or empty folder");
        }
        String existing;
        try {
            existing = Files.readString(conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DemoException("cannot read " + conf + ": " + e.getMessage(), e);
        }
        if (!existing.equals(runFile)) {
            throw new DemoException("--out " + dir + " holds a demo made with other options or another zoo (its "
                    + DemoRunFile.FILE
                    + " differs from this one); nothing was changed: repeat the options it was made with"
                    + " to continue it, or choose another --out");
        }
        return true;
    }

    private DemoResult pipeline(
            Zoo zooPaths, ZooSpec spec, Path runDir, DemoRunFile.Rendered rendered, boolean continuing, long t0) {
        boolean multi = o.multiObjective();
        // 1. the zoo
        out.println("== zoo (" + zooPaths.dir() + ")");
        long tz = System.nanoTime();
        Zoo zoo = ZooBuilder.openOrBuild(zooPaths.dir(), spec, o.seed(), s -> out.println("  " + s));
        phases.put("zoo", seconds(tz));
        out.printf(Locale.ROOT, "  zoo ready in %.1f s%n", phases.get("zoo"));

        // 2. the run file
        // checked before anything is written, so a corrected --n is not refused as "other options" next time
        for (RunSpec.ObjectiveSpec ob : RunSpec.parse(rendered.text()).objectives()) {
            int items = TaskLoader.items(TaskLoader.load(Path.of(ob.task()))).size();
            if (ob.n() > items) {
                throw new DemoException((o.n() != null
                                ? "--n " + ob.n()
                                : "demo.n = " + ob.n() + " of template " + DemoRunFile.resource(multi))
                        + " exceeds the " + items + " items of " + ob.task() + " (objective "
                        + ob.name() + ")");
            }
        }
        Path runFile = runDir.resolve(DemoRunFile.FILE);
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new DemoException("cannot create the run folder " + runDir + ": " + e.getMessage(), e);
        }
        if (!continuing) {
            AtomicFiles.writeString(runFile, rendered.text());
        }
        RunSpec spec0 = RunSpec.load(runFile);
        out.println("== run file " + runFile + (continuing ? " (continuing this demo)" : ""));
        out.printf(
                Locale.ROOT,
                "  %s, %s over %d genes, budget %d candidates x %d items per objective (%s)%n",
                spec0.algorithm(),
                spec0.genome().method(),
                SearchSpace.of(spec0).bounds().dimension(),
                rendered.budget(),
                rendered.n(),
                String.join(
                        ", ",
                        spec0.objectives().stream()
                                .map(ob -> ob.name() + " on "
                                        + Path.of(ob.task()).getFileName() + ", estimator " + ob.estimator())
                                .toList()));

        // 3. the search
        out.println("== search");
        DemoSearch searchStage = new DemoSearch(o);
        Protocol.Status end = searchStage.search(spec0, runDir);
        List<RunEvent> events = Journal.read(runDir);
        RunState state = RunState.replay(events);
        long lastTime = events.isEmpty() ? 0 : events.get(events.size() - 1).time();
        phases.put("search", state.activeMillis(lastTime) / 1000.0);
        List<ExtractResult> extracts = DemoSearch.extracts(spec0, runDir);
        double extractSeconds = extracts.stream()
                .filter(Objects::nonNull)
                .mapToDouble(x -> x.cost().wallSeconds())
                .sum();
        phases.put("extract", extractSeconds);
        DemoResult.SearchCost cost = DemoSearch.cost(spec0, state, extracts, runDir);
        String runState = end != null ? end.state().name() : state.status().name();
        String reason = end != null ? end.finishReason() : state.finishReason();
        if (!"FINISHED".equals(runState)) {
            out.printf("run %s %s: %s%n", spec0.name(), runState.toLowerCase(Locale.ROOT), reason);
            out.println("continue it (then the demo evaluates it): " + searchStage.continueCommand(runDir));
            out.println("or the run alone: chimera resume " + runDir);
            phases.put("total", seconds(t0));
            return new DemoResult(
                    multi ? MODE_MULTI : MODE_SINGLE,
                    runDir,
                    zoo.dir(),
                    runFile,
                    spec0.name(),
                    runState,
                    reason,
                    List.of(),
                    cost,
                    null,
                    null,
                    List.of(),
                    List.of(),
                    null,
                    Map.copyOf(phases),
                    List.of());
        }
        out.printf(
                Locale.ROOT,
                "  %d candidates, %d items on candidates + %d in the extract stage%s; extract %.1f s, search %.1f s%n",
                cost.candidates(),
                cost.candidateItems(),
                cost.extractItems(),
                cost.extractFromCache() ? " (from the response cache)" : "",
                extractSeconds,
                phases.get("search"));

        // 4. evaluation and report
        DemoResult r = multi
                ? new ParetoEvaluation(o, phases)
                        .evaluate(spec0, zoo, runDir, runFile, state, extracts, cost, runState, reason, t0)
                : spec0.fidelity() != null
                        ? evaluateRaced(spec0, zoo, runDir, runFile, state, cost, runState, reason, t0)
                        : new FixedEvaluation(o, phases)
                                .evaluate(spec0, zoo, runDir, runFile, state, extracts, cost, runState, reason, t0);
        String report = DemoReport.markdown(r, spec0);
        out.println();
        out.print(report);
        AtomicFiles.writeString(runDir.resolve(SUMMARY_MD), report);
        try {
            AtomicFiles.write(runDir.resolve(SUMMARY_JSON), JSON.writeValueAsBytes(r));
        } catch (IOException e) {
            throw new DemoException("cannot write " + runDir.resolve(SUMMARY_JSON) + ": " + e.getMessage(), e);
        }
        out.println();
        out.println("Where to look, in " + runDir + ":");
        List<String[]> look = new ArrayList<>();
        look.add(
                new String[] {SUMMARY_MD + ", " + SUMMARY_JSON, "this report (" + SUMMARY_JSON + " has every number)"});
        look.add(new String[] {DemoRunFile.FILE, "the run file (chimera run COPY.conf after changing run.output)"});
        if (multi) {
            look.add(new String[] {PLOT, "the Pareto front"});
            look.add(new String[] {
                "pareto/K/, pareto/K.yaml", "the Pareto set as model folders and mergekit recipes (best.json)"
            });
        } else {
            look.add(
                    Files.isDirectory(runDir.resolve("evolved"))
                            ? new String[] {
                                "evolved/, evolved.yaml",
                                "the evolved model (Hugging Face folder) and its mergekit recipe"
                            }
                            : new String[] {
                                "best/, best.yaml", "the evolved model (Hugging Face folder) and its mergekit recipe"
                            });
            if (Files.isDirectory(runDir.resolve("evolved"))) {
                look.add(new String[] {"best/, best.yaml", "the run's best by estimated fitness"});
            }
            look.add(new String[] {"uniform-ta-*.yaml", "the uniform merges it was compared with"});
        }
        look.add(new String[] {"journal.jsonl, results.csv", "every candidate of the search"});
        for (String[] l : look) {
            out.printf("  %-28s %s%n", l[0], l[1]);
        }
        return r;
    }

    /** A multi-fidelity run: its answer is already scored on the whole search split, see {@link RacedEvaluation}. */
    private DemoResult evaluateRaced(
            RunSpec spec,
            Zoo zoo,
            Path runDir,
            Path runFile,
            RunState state,
            DemoResult.SearchCost cost,
            String runState,
            String reason,
            long t0) {
        DemoResult r = new RacedEvaluation(spec, zoo, runDir, state, RunFolder.parents(runDir), out, phases)
                .evaluate(runFile, cost, runState, reason);
        phases.put("total", seconds(t0));
        return new DemoResult(
                r.mode(),
                r.runDir(),
                r.zooDir(),
                r.runFile(),
                r.runId(),
                r.runState(),
                r.finishReason(),
                r.rows(),
                r.search(),
                r.gainOverBestParent(),
                r.gainOverUniform(),
                r.estimatorChecks(),
                r.pareto(),
                r.plot(),
                Map.copyOf(phases),
                r.comparisons());
    }
}
