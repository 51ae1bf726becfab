package dev.chimera.demo;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.typesafe.config.Config;
import dev.chimera.engine.Node;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.control.RunFollower;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunFolder;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.run.SearchSpace;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.eval.TaskLoader;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.merge.MergeRunner;
import dev.chimera.search.genome.Genome;
import dev.chimera.tensor.AtomicFiles;
import dev.chimera.tensor.ShardedSafetensorsWriter;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        Path runDir = (o.runDir() != null ? o.runDir()
                : Path.of("chimera-demo", (multi ? "pareto" : "target") + "-seed" + o.seed() + "-"
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                .toAbsolutePath().normalize();
        Path zooDir = (o.zooDir() != null ? o.zooDir() : ZooBuilder.defaultDir(spec, o.seed())).toAbsolutePath().normalize();
        Zoo zoo = new Zoo(zooDir);
        DemoRunFile.Rendered rendered = DemoRunFile.render(multi, o.template(), fields(runDir, zoo, spec), o.budget(), o.n(), o.responseCache());
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
            throw new DemoException("--n " + o.n() + " must be between 1 and " + most + " (the items of the search split"
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
        List<String> ones = java.util.Collections.nCopies(perModel, "1.0");
        List<String> zeros = java.util.Collections.nCopies(perModel, "0.0");
        f.put("uniform-genes", java.util.Collections.nCopies(2 * perModel, "1.0").toString());
        // genes are model-major (expert 1's groups, then expert 2's): expert 1 alone, expert 2 alone, both
        f.put("parent-genes", List.of(concat(ones, zeros), concat(zeros, ones), concat(ones, ones)).toString());
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
            throw new DemoException("--out " + dir + " exists and is not a chimera demo run folder (no " + DemoRunFile.FILE
                    + "); nothing was changed: choose a new or empty folder");
        }
        String existing;
        try {
            existing = Files.readString(conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DemoException("cannot read " + conf + ": " + e.getMessage(), e);
        }
        if (!existing.equals(runFile)) {
            throw new DemoException("--out " + dir + " holds a demo made with other options or another zoo (its "
                    + DemoRunFile.FILE + " differs from this one); nothing was changed: repeat the options it was made with"
                    + " to continue it, or choose another --out");
        }
        return true;
    }

    private DemoResult pipeline(Zoo zooPaths, ZooSpec spec, Path runDir, DemoRunFile.Rendered rendered, boolean continuing,
                                long t0) {
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
                throw new DemoException((o.n() != null ? "--n " + ob.n() : "demo.n = " + ob.n() + " of template "
                        + DemoRunFile.resource(multi)) + " exceeds the " + items + " items of " + ob.task() + " (objective "
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
        out.printf(Locale.ROOT, "  %s, %s over %d genes, budget %d candidates x %d items per objective (%s)%n",
                spec0.algorithm(), spec0.genome().method(), SearchSpace.of(spec0).bounds().dimension(), rendered.budget(),
                rendered.n(), String.join(", ", spec0.objectives().stream().map(ob -> ob.name() + " on "
                        + Path.of(ob.task()).getFileName() + ", estimator " + ob.estimator()).toList()));

        // 3. the search
        out.println("== search");
        Protocol.Status end = search(spec0, runDir);
        List<RunEvent> events = Journal.read(runDir);
        RunState state = RunState.replay(events);
        long lastTime = events.isEmpty() ? 0 : events.get(events.size() - 1).time();
        phases.put("search", state.activeMillis(lastTime) / 1000.0);
        List<ExtractResult> extracts = extracts(spec0, runDir);
        double extractSeconds = extracts.stream().filter(java.util.Objects::nonNull).mapToDouble(x -> x.cost().wallSeconds()).sum();
        phases.put("extract", extractSeconds);
        DemoResult.SearchCost cost = cost(spec0, state, extracts, runDir);
        String runState = end != null ? end.state().name() : state.status().name();
        String reason = end != null ? end.finishReason() : state.finishReason();
        if (!"FINISHED".equals(runState)) {
            out.printf("run %s %s: %s%n", spec0.name(), runState.toLowerCase(Locale.ROOT), reason);
            out.println("continue it (then the demo evaluates it): " + continueCommand(runDir));
            out.println("or the run alone: chimera resume " + runDir);
            phases.put("total", seconds(t0));
            return new DemoResult(multi ? MODE_MULTI : MODE_SINGLE, runDir, zoo.dir(), runFile, spec0.name(), runState, reason,
                    List.of(), cost, null, null, List.of(), List.of(), null, Map.copyOf(phases), List.of());
        }
        out.printf(Locale.ROOT, "  %d candidates, %d items on candidates + %d in the extract stage%s; extract %.1f s, search %.1f s%n",
                cost.candidates(), cost.candidateItems(), cost.extractItems(), cost.extractFromCache() ? " (from the response cache)" : "",
                extractSeconds, phases.get("search"));

        // 4. evaluation and report
        DemoResult r = multi ? evaluateMulti(spec0, zoo, runDir, runFile, state, extracts, cost, runState, reason, t0)
                : spec0.fidelity() != null ? evaluateRaced(spec0, zoo, runDir, runFile, state, cost, runState, reason, t0)
                : evaluateSingle(spec0, zoo, runDir, runFile, state, extracts, cost, runState, reason, t0);
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
        look.add(new String[] {SUMMARY_MD + ", " + SUMMARY_JSON, "this report (" + SUMMARY_JSON + " has every number)"});
        look.add(new String[] {DemoRunFile.FILE, "the run file (chimera run COPY.conf after changing run.output)"});
        if (multi) {
            look.add(new String[] {PLOT, "the Pareto front"});
            look.add(new String[] {"pareto/K/, pareto/K.yaml", "the Pareto set as model folders and mergekit recipes (best.json)"});
        } else {
            look.add(Files.isDirectory(runDir.resolve("evolved"))
                    ? new String[] {"evolved/, evolved.yaml", "the evolved model (Hugging Face folder) and its mergekit recipe"}
                    : new String[] {"best/, best.yaml", "the evolved model (Hugging Face folder) and its mergekit recipe"});
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

    /** Runs (or continues) the search on an in-process node; null when the journal says it already finished. */
    private Protocol.Status search(RunSpec spec, Path runDir) {
        RunState before = RunState.replay(Journal.read(runDir));
        if (before.status() == RunState.Status.FINISHED) {
            out.println("  the run already finished (" + before.finishReason() + "); evaluating it again");
            return null;
        }
        boolean resume = Files.exists(runDir.resolve(Journal.FILE));
        Config cfg = o.nodeConfig() != null ? o.nodeConfig() : Node.loadConfig(null);
        Node.Options opts = Node.Options.defaults().withPort(0).withDevices(o.devices() != null ? o.devices() : spec.devices());
        if (o.controlPort() != null) {
            opts = opts.withControlPort(o.controlPort());
        }
        out.println("  starting an in-process node (Pekko cluster of one, devices " + opts.devices() + ")");
        Node local = Node.startLocal(cfg, opts);
        try {
            if (!resume) {
                out.println("  extract stage: the parents on every item of each objective's task (cached after the first time)");
            }
            Protocol.SubmitReply reply;
            try {
                reply = local.submit(resume ? null : spec.text(), resume ? runDir.toString() : null)
                        .toCompletableFuture().get(30, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoException("interrupted while the run started", e);
            } catch (Exception e) {
                throw new DemoException("the run did not start: " + e.getMessage(), e);
            }
            if (!reply.ok()) {
                throw new DemoException("the run did not start: " + reply.error());
            }
            out.printf("  run %s %s on this machine (devices %s), folder %s%n", reply.runId(), resume ? "resumed" : "started",
                    local.devices(), reply.runDir());
            if (local.controlAddress() != null) {
                String node = " --node " + local.controlAddress();
                out.println("  from another terminal:");
                out.println("    chimera status " + reply.runId() + node);
                out.println("    chimera pause " + reply.runId() + node + "    (candidates in flight finish, nothing new starts)");
                out.println("    chimera resume " + reply.runId() + node);
                out.println("    chimera stop " + reply.runId() + node + "     (the folder keeps everything)");
            }
            out.println("  after a stop or a crash: " + continueCommand(runDir) + "   (continues the run, then evaluates)");
            out.println("                      or: chimera resume " + runDir + "   (the run alone)");
            out.flush();
            try {
                return RunFollower.follow(() -> local.statusNow(reply.runId()), o.progress());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoException("interrupted while following run " + reply.runId(), e);
            }
        } finally {
            local.close();
        }
    }

    /** The command that continues this demo: the options that decide its run file. */
    private String continueCommand(Path runDir) {
        StringBuilder b = new StringBuilder("chimera demo --out ").append(runDir).append(" --seed ").append(o.seed());
        if (o.runSeed() != null) {
            b.append(" --run-seed ").append(o.runSeed());
        }
        if (o.template() != null) {
            b.append(" --template ").append(o.template().toAbsolutePath());
        }
        if (o.zooDir() != null) {
            b.append(" --zoo ").append(o.zooDir().toAbsolutePath());
        }
        if (o.multiObjective()) {
            b.append(" --multi-objective");
        }
        if (o.budget() != null) {
            b.append(" --budget ").append(o.budget());
        }
        if (o.n() != null) {
            b.append(" --n ").append(o.n());
        }
        return b.toString();
    }

    private static List<ExtractResult> extracts(RunSpec spec, Path runDir) {
        List<ExtractResult> l = new ArrayList<>();
        for (RunSpec.ObjectiveSpec ob : spec.objectives()) {
            Path f = runDir.resolve("extract-" + ob.name() + ".json");
            l.add(Files.exists(f) ? ExtractResult.read(f) : null);
        }
        return l;
    }

    /**
     * Items the search cost: every journaled per-item result (with multi-fidelity: every rung, and the start point on
     * the whole split), plus the parents' answers (the extract stage, or the answers a multi-fidelity run compares
     * with); and what scoring every candidate on every item of each objective's split would have cost.
     */
    static DemoResult.SearchCost cost(RunSpec spec, RunState state, List<ExtractResult> extracts, Path runDir) {
        long items = state.fidelity().items();
        long candidates = state.evaluated().keySet().stream().filter(id -> id >= 0).count();
        long extractItems = 0;
        boolean cached = false;
        boolean any = false;
        for (ExtractResult x : extracts) {
            if (x == null) {
                continue;
            }
            any = true;
            extractItems += (long) x.models().size() * x.task().itemIds().size();
            cached |= x.models().stream().allMatch(ExtractResult.ModelInfo::cacheHit);
        }
        Map<String, Map<String, Map<String, Integer>>> parents = RunFolder.parents(runDir);
        for (Map<String, Map<String, Integer>> perModel : parents.values()) {
            for (Map<String, Integer> y : perModel.values()) {
                extractItems += y.size();
            }
        }
        long full = 0;
        for (RunSpec.ObjectiveSpec ob : spec.objectives()) {
            full += candidates * TaskLoader.items(TaskLoader.load(Path.of(ob.task()))).size();
        }
        return new DemoResult.SearchCost(candidates, items, extractItems, any && cached, full);
    }

    /** The held-out split of a search task file: {@code X_search.yml} -> {@code X_test.yml} beside it. */
    static Path heldOut(Path searchTask) {
        String name = searchTask.getFileName().toString();
        if (!name.contains("_search.")) {
            throw new DemoException("task " + searchTask + " is not a search split (X_search.yml), so the demo cannot"
                    + " find its held-out X_test.yml");
        }
        Path test = searchTask.resolveSibling(name.replace("_search.", "_test."));
        if (!Files.isRegularFile(test)) {
            throw new DemoException("the held-out split " + test + " of task " + searchTask + " does not exist");
        }
        return test;
    }

    static String taskName(Path taskFile) {
        String n = taskFile.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    /** Each parent's accuracy on every item of each objective's task, from the extract stage (by folder). */
    private static Map<String, Double> parentSearchScores(RunSpec spec, List<ExtractResult> extracts, Path model) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < spec.objectives().size(); k++) {
            ExtractResult x = extracts.get(k);
            if (x == null) {
                continue;
            }
            for (ExtractResult.ModelInfo mi : x.models()) {
                if (Path.of(mi.path()).toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
                    m.put(spec.objectives().get(k).name(), mi.accuracy());
                }
            }
        }
        return m;
    }

    static Map<String, Path> parents(Zoo zoo) {
        Map<String, Path> p = new LinkedHashMap<>();
        p.put("base", zoo.base());
        p.put("expert 1", zoo.expert1());
        p.put("expert 2", zoo.expert2());
        return p;
    }

    /** Uniform task arithmetic over the whole model: base + w (expert 1 - base) + w (expert 2 - base). */
    static String uniformYaml(Zoo zoo, double w) {
        String weight = String.format(Locale.ROOT, "%.1f", w);
        return "# uniform task arithmetic: base + " + weight + " (expert 1 - base) + " + weight + " (expert 2 - base), every tensor\n"
                + "merge_method: task_arithmetic\n"
                + "base_model: " + DemoRunFile.quoted(zoo.base().toString()) + "\n"
                + "models:\n"
                + "  - model: " + DemoRunFile.quoted(zoo.expert1().toString()) + "\n"
                + "    parameters: {weight: " + weight + "}\n"
                + "  - model: " + DemoRunFile.quoted(zoo.expert2().toString()) + "\n"
                + "    parameters: {weight: " + weight + "}\n"
                + "parameters: {normalize: false, lambda: 1.0}\n"
                + "dtype: float32\n";
    }

    /** A multi-fidelity run: its answer is already scored on the whole search split, see {@link RacedEvaluation}. */
    private DemoResult evaluateRaced(RunSpec spec, Zoo zoo, Path runDir, Path runFile, RunState state,
                                     DemoResult.SearchCost cost, String runState, String reason, long t0) {
        DemoResult r = new RacedEvaluation(spec, zoo, runDir, state, RunFolder.parents(runDir), out, phases)
                .evaluate(runFile, cost, runState, reason);
        phases.put("total", seconds(t0));
        return new DemoResult(r.mode(), r.runDir(), r.zooDir(), r.runFile(), r.runId(), r.runState(), r.finishReason(), r.rows(),
                r.search(), r.gainOverBestParent(), r.gainOverUniform(), r.estimatorChecks(), r.pareto(), r.plot(),
                Map.copyOf(phases), r.comparisons());
    }

    private DemoResult evaluateSingle(RunSpec spec, Zoo zoo, Path runDir, Path runFile, RunState state,
                                      List<ExtractResult> extracts, DemoResult.SearchCost cost, String runState, String reason,
                                      long t0) {
        RunSpec.ObjectiveSpec objective = spec.objectives().get(0);
        Path search = Path.of(objective.task());
        Path test = heldOut(search);
        String testName = taskName(test);
        out.println("== held-out evaluation on " + testName + " (every item, greedy generation as chimera eval)");
        long te = System.nanoTime();
        List<DemoResult.Row> rows = new ArrayList<>();
        Map<String, Path> parents = parents(zoo);
        try (Scorer scorer = new Scorer(zoo.base(), new ArrayList<>(parents.values()), spec.seed(), out::println)) {
            for (Map.Entry<String, Path> p : parents.entrySet()) {
                Scorer.Score s = scorer.folder(p.getKey(), p.getValue(), test);
                rows.add(new DemoResult.Row(p.getKey(), p.getValue(), parentSearchScores(spec, extracts, p.getValue()),
                        Map.of(testName, s.accuracy()), s.items(), s.seconds(), -1));
            }
            for (double w : new double[] {1.0, 0.5}) {
                String label = String.format(Locale.ROOT, "uniform TA %.1f/%.1f", w, w);
                Path yaml = runDir.resolve(String.format(Locale.ROOT, "uniform-ta-%.1f.yaml", w));
                String text = uniformYaml(zoo, w);
                AtomicFiles.writeString(yaml, text);
                MergeConfig c = MergeConfigYaml.parse(text, yaml.toString());
                Scorer.Score s = scorer.merge(label, c, List.of(test)).get(test);
                rows.add(new DemoResult.Row(label, null, Map.of(), Map.of(testName, s.accuracy()), s.items(), s.seconds(), -1));
            }
            Path best = runDir.resolve("best");
            if (!Files.isRegularFile(best.resolve("config.json"))) {
                throw new DemoException("the finished run has no evolved model folder " + best);
            }
            BestEntry b = bestEntries(runDir).get(0);
            phases.put("heldOutEval", seconds(te));

            // 5. the K best candidates by estimate, scored on every item of the search split: this measures the
            // estimator and picks the evolved merge (the search keeps the luckiest estimate; the full split does not)
            List<DemoResult.EstimatorCheck> checks = new ArrayList<>();
            RunEvent.Evaluated chosen = null;
            long validationItems = 0;
            if (o.estimatorCheck() > 0) {
                long tc = System.nanoTime();
                out.println("== estimator check: the best " + o.estimatorCheck() + " candidates on every item of "
                        + taskName(search) + "; the best of them is the evolved merge");
                Genome genome = SearchSpace.of(spec).genome();
                List<RunEvent.Evaluated> top = state.evaluated().values().stream()
                        .sorted(Comparator.comparingDouble((RunEvent.Evaluated e) -> -e.objectives()[0])
                                .thenComparingLong(RunEvent.Evaluated::id))
                        .limit(o.estimatorCheck()).toList();
                List<DemoResult.Check> l = new ArrayList<>();
                double bestFull = -1;
                for (RunEvent.Evaluated e : top) {
                    Scorer.Score full = scorer.merge("candidate " + e.id(), genome.decode(e.genes()), List.of(search)).get(search);
                    l.add(new DemoResult.Check(e.id(), e.objectives()[0], full.accuracy(), full.items()));
                    validationItems += full.items();
                    if (full.accuracy() > bestFull) { // ties keep the higher estimate (earlier in the list)
                        bestFull = full.accuracy();
                        chosen = e;
                    }
                }
                checks.add(check(objective.name(), l));
                phases.put("estimatorCheck", seconds(tc));
                if (chosen.id() != b.id()) {
                    best = writeEvolved(spec, genome, chosen, runDir);
                }
            }
            long th = System.nanoTime();
            long evolvedId = chosen != null ? chosen.id() : b.id();
            double estimate = chosen != null ? chosen.objectives()[0] : b.objectives()[0];
            Scorer.Score s = scorer.folder("evolved", best, test);
            double searchWall = phases.get("extract") + phases.get("search") + phases.getOrDefault("estimatorCheck", 0.0);
            rows.add(new DemoResult.Row("evolved", best, Map.of(objective.name(), estimate),
                    Map.of(testName, s.accuracy()), cost.totalItems() + validationItems, searchWall, evolvedId));
            phases.put("heldOutEval", phases.get("heldOutEval") + seconds(th));
            double evolved = rows.get(rows.size() - 1).heldOut().get(testName);
            double bestParent = rows.subList(0, 3).stream().mapToDouble(r -> r.heldOut().get(testName)).max().orElseThrow();
            double bestUniform = rows.subList(3, 5).stream().mapToDouble(r -> r.heldOut().get(testName)).max().orElseThrow();
            phases.put("total", seconds(t0));
            return new DemoResult(MODE_SINGLE, runDir, zoo.dir(), runFile, spec.name(), runState, reason, List.copyOf(rows), cost,
                    100 * (evolved - bestParent), 100 * (evolved - bestUniform), List.copyOf(checks), List.of(), null,
                    Map.copyOf(phases), List.of());
        }
    }

    /**
     * The chosen candidate as {@code evolved/} + {@code evolved.yaml} when it is not the run's own best (which the run
     * wrote as {@code best/}); replaced when a continued demo writes it again.
     */
    private Path writeEvolved(RunSpec spec, Genome genome, RunEvent.Evaluated e, Path runDir) {
        Path dir = runDir.resolve("evolved");
        out.println("   candidate " + e.id() + " scores best on the whole search split: writing it to " + dir);
        AtomicFiles.writeString(runDir.resolve("evolved.yaml"), genome.yaml(e.genes()));
        MergeRunner.run(genome.decode(e.genes()), Path.of("/"), dir, new MergeRunner.Options("cpu", spec.seed(),
                ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES, spec.mergeThreads(), true), new MergeRunner.Listener() { });
        return dir;
    }

    private static DemoResult.EstimatorCheck check(String objective, List<DemoResult.Check> l) {
        double err = 0;
        for (DemoResult.Check c : l) {
            err += Math.abs(c.estimated() - c.full());
        }
        return new DemoResult.EstimatorCheck(objective, List.copyOf(l), l.isEmpty() ? 0 : err / l.size());
    }

    /** One entry of the run's best.json. */
    record BestEntry(long id, double[] objectives, double[] genes) {
    }

    static List<BestEntry> bestEntries(Path runDir) {
        Path f = runDir.resolve("best.json");
        try {
            List<Map<String, Object>> l = JSON.readValue(f.toFile(), new TypeReference<List<Map<String, Object>>>() { });
            List<BestEntry> out = new ArrayList<>();
            for (Map<String, Object> m : l) {
                out.add(new BestEntry(((Number) m.get("id")).longValue(), doubles(m.get("objectives")), doubles(m.get("genes"))));
            }
            if (out.isEmpty()) {
                throw new DemoException(f + " lists no candidate");
            }
            return out;
        } catch (IOException | ClassCastException | NullPointerException e) {
            throw new DemoException("cannot read the run's best candidates from " + f + ": " + e.getMessage(), e);
        }
    }

    private static double[] doubles(Object list) {
        List<?> l = (List<?>) list;
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = ((Number) l.get(i)).doubleValue();
        }
        return d;
    }

    private DemoResult evaluateMulti(RunSpec spec, Zoo zoo, Path runDir, Path runFile, RunState state,
                                     List<ExtractResult> extracts, DemoResult.SearchCost cost, String runState, String reason,
                                     long t0) {
        List<Path> searchTasks = spec.objectives().stream().map(ob -> Path.of(ob.task())).toList();
        List<Path> tests = searchTasks.stream().map(Demo::heldOut).toList();
        List<String> names = spec.objectives().stream().map(RunSpec.ObjectiveSpec::name).toList();
        out.println("== held-out evaluation on " + String.join(", ", tests.stream().map(Demo::taskName).toList())
                + " (every item, greedy generation as chimera eval)");
        long te = System.nanoTime();
        Map<String, Path> parents = parents(zoo);
        List<DemoResult.Row> rows = new ArrayList<>();
        List<DemoResult.Row> pareto = new ArrayList<>();
        List<DemoResult.EstimatorCheck> checks = new ArrayList<>();
        try (Scorer scorer = new Scorer(zoo.base(), new ArrayList<>(parents.values()), spec.seed(), out::println)) {
            for (Map.Entry<String, Path> p : parents.entrySet()) {
                Map<String, Double> searchScores = parentSearchScores(spec, extracts, p.getValue());
                if (searchScores.size() < names.size()) {
                    // objectives without an estimator have no extract stage: score the parent on the whole search split
                    Map<Path, Scorer.Score> s = scorer.folder(p.getKey(), p.getValue(), searchTasks);
                    for (int k = 0; k < names.size(); k++) {
                        searchScores.putIfAbsent(names.get(k), s.get(searchTasks.get(k)).accuracy());
                    }
                }
                Map<Path, Scorer.Score> held = scorer.folder(p.getKey(), p.getValue(), tests);
                rows.add(row(p.getKey(), p.getValue(), searchScores, held, -1));
            }
            List<BestEntry> best = bestEntries(runDir);
            List<Integer> order = new ArrayList<>();
            for (int k = 0; k < best.size(); k++) {
                order.add(k);
            }
            order.sort(Comparator.comparingDouble((Integer k) -> best.get(k).objectives()[0]).thenComparingInt(k -> k));
            // members with equal estimates are one point of the front: score one of each, spread along the front
            List<Integer> distinct = new ArrayList<>();
            for (int k : order) {
                if (distinct.stream().noneMatch(d -> java.util.Arrays.equals(best.get(d).objectives(), best.get(k).objectives()))) {
                    distinct.add(k);
                }
            }
            List<Integer> heldOutMembers = spread(distinct, o.paretoHeldOut());
            Map<Integer, Path> folders = new LinkedHashMap<>();
            for (int k : order) {
                folders.put(k, best.size() == 1 ? runDir.resolve("best") : runDir.resolve("pareto").resolve(Integer.toString(k)));
            }
            for (int k : order) {
                BestEntry b = best.get(k);
                Map<String, Double> est = new LinkedHashMap<>();
                for (int j = 0; j < names.size(); j++) {
                    est.put(names.get(j), b.objectives()[j]);
                }
                Map<Path, Scorer.Score> held = heldOutMembers.contains(k) ? scorer.folder("pareto " + k, folders.get(k), tests) : Map.of();
                pareto.add(row("pareto " + k, folders.get(k), est, held, b.id()));
            }
            phases.put("heldOutEval", seconds(te));
            if (o.estimatorCheck() > 0) {
                long tc = System.nanoTime();
                List<Integer> checked = spread(distinct, o.estimatorCheck());
                out.println("== estimator check: " + checked.size() + " distinct points of the front on every item of "
                        + String.join(", ", searchTasks.stream().map(Demo::taskName).toList()));
                List<List<DemoResult.Check>> perObjective = new ArrayList<>();
                names.forEach(x -> perObjective.add(new ArrayList<>()));
                for (int k : checked) {
                    Map<Path, Scorer.Score> full = scorer.folder("pareto " + k, folders.get(k), searchTasks);
                    for (int j = 0; j < names.size(); j++) {
                        Scorer.Score f = full.get(searchTasks.get(j));
                        perObjective.get(j).add(new DemoResult.Check(best.get(k).id(), best.get(k).objectives()[j], f.accuracy(), f.items()));
                    }
                }
                for (int j = 0; j < names.size(); j++) {
                    checks.add(check(names.get(j), perObjective.get(j)));
                }
                phases.put("estimatorCheck", seconds(tc));
            }
        }
        rows.addAll(pareto);
        Path plot = runDir.resolve(PLOT);
        List<ParetoSvg.Point> front = pareto.stream().map(r -> new ParetoSvg.Point(r.searchScores().get(names.get(0)),
                r.searchScores().get(names.get(1)), r.model().substring("pareto ".length()))).toList();
        List<ParetoSvg.Point> refs = rows.subList(0, 3).stream().map(r -> new ParetoSvg.Point(r.searchScores().get(names.get(0)),
                r.searchScores().get(names.get(1)), r.model())).toList();
        int n = spec.objectives().get(0).n();
        AtomicFiles.writeString(plot, ParetoSvg.render(
                String.format(Locale.ROOT, "Pareto front: %s vs %s (zoo seed %d, %d candidates)", names.get(0), names.get(1),
                        o.seed(), cost.candidates()),
                names.get(0) + " on " + taskName(searchTasks.get(0)), names.get(1) + " on " + taskName(searchTasks.get(1)),
                front, refs, "Pareto set (fitness estimated from " + n + " items; label = pareto/K)",
                "parents (accuracy on every item)"));
        phases.put("total", seconds(t0));
        return new DemoResult(MODE_MULTI, runDir, zoo.dir(), runFile, spec.name(), runState, reason, List.copyOf(rows), cost,
                null, null, List.copyOf(checks), List.copyOf(pareto), plot, Map.copyOf(phases), List.of());
    }

    private static DemoResult.Row row(String model, Path path, Map<String, Double> searchScores, Map<Path, Scorer.Score> held,
                                      long id) {
        Map<String, Double> acc = new LinkedHashMap<>();
        long items = 0;
        double secs = 0;
        for (Map.Entry<Path, Scorer.Score> e : held.entrySet()) {
            acc.put(taskName(e.getKey()), e.getValue().accuracy());
            items += e.getValue().items();
            secs += e.getValue().seconds();
        }
        return new DemoResult.Row(model, path, Map.copyOf(searchScores), acc, items, secs, id);
    }

    /** At most {@code k} entries of {@code ordered}, spread evenly from its first to its last. */
    static List<Integer> spread(List<Integer> ordered, int k) {
        if (k >= ordered.size()) {
            return List.copyOf(ordered);
        }
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int at = k == 1 ? 0 : (int) Math.round(i * (ordered.size() - 1) / (double) (k - 1));
            if (!l.contains(ordered.get(at))) {
                l.add(ordered.get(at));
            }
        }
        return l;
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
