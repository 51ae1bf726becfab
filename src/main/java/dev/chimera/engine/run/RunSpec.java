package dev.chimera.engine.run;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One experiment, read from a HOCON run file (see docs/runs.md): the models, the genome, the algorithm, the
 * objectives, the budget, the seed, the devices and the output folder.
 *
 * <p>The spec travels to every worker as its rendered text ({@link #text()}), so relative paths are resolved against
 * the run file's folder here, once, and workers see absolute paths. Every error names the key at fault.
 */
public record RunSpec(
        String name,
        Path output,
        long seed,
        List<String> devices,
        Map<String, String> models,
        GenomeSpec genome,
        String algorithm,
        Config algorithmSettings,
        List<ObjectiveSpec> objectives,
        Budget budget,
        boolean dedup,
        int mergeThreads,
        int torchThreads,
        Path responseCache,
        Fidelity fidelity,
        String text) {

    /**
     * Multi-fidelity evaluation ({@code run.fidelity}, docs/runs.md): every task objective's items are put in one
     * seeded order; a candidate answers the first {@code rungs[0]} items, and the best of each generation go up
     * rung by rung (answering only the items they have not answered yet) to the whole split. Null when the run
     * file has no {@code fidelity} block (every candidate answers its objective's {@code n} items once).
     *
     * @param rungs item counts (>= 1) or fractions of each task's items (in (0, 1)), ascending, below the whole split
     * @param eta at most ceil(m / eta) of the m candidates of a generation at a rung go up to the next one
     * @param z racing: a candidate goes up only if its paired upper bound (mean difference + z standard errors)
     *          against the incumbent is at least 0
     * @param estimator what the optimizer is told for a candidate that did not reach the whole split:
     *          {@code paired} (the incumbent's whole-split score plus the paired mean difference), {@code mean}, or
     *          {@code irt} (gp-IRT on an IRT model refitted to the run's whole-split rows; paired until there are
     *          enough of them)
     * @param budget promotions stop where the items spent would exceed this fraction of scoring every candidate asked
     *          so far on every item (0: no limit)
     * @param finalists when the search has spent its candidates, the best this many by their estimates that were not
     *          scored on the whole split are (outside the budget), so the answer can be one of them
     * @param calibration random merges of the search space scored on the whole split at the start, as reference
     *          points (more rows for the {@code irt} estimator's first fits; inside the budget)
     */
    public record Fidelity(
            List<Double> rungs, int eta, double z, String estimator, double budget, int finalists, int calibration) {
        public static final List<String> ESTIMATORS = List.of("paired", "mean", "irt");

        /**
         * Item counts of the rungs for a task of {@code total} items: each rung resolved (a fraction of {@code total},
         * rounded up, or a count), in ascending order without repeats, those not below {@code total} dropped, and the
         * whole split last.
         */
        public List<Integer> counts(int total) {
            TreeSet<Integer> below = new TreeSet<>();
            for (double r : rungs) {
                int n = Math.max(1, r < 1 ? (int) Math.ceil(r * total) : (int) r);
                if (n < total) {
                    below.add(n);
                }
            }
            List<Integer> out = new ArrayList<>(below);
            out.add(total);
            return List.copyOf(out);
        }
    }

    /** When a run ends; null/0 fields are unlimited, at least one must be set. */
    public record Budget(long generations, long evaluations, Duration wallClock, Double target) {}

    /** What is searched: a merge genome over the models, or a plain box for synthetic objectives. */
    public record GenomeSpec(
            String type,
            String method,
            String base,
            List<String> models,
            Integer layers,
            int layerGroups,
            List<Param> params,
            boolean moduleFilters,
            boolean embedGroup,
            boolean headGroup,
            boolean smooth,
            Map<String, Object> fixed,
            String dtype,
            int repeats,
            int maxDepth,
            boolean scales,
            double scaleMin,
            double scaleMax,
            int dimension,
            double min,
            double max,
            Duration buildCost,
            String architecture,
            Config settings) {
        public boolean merges() {
            return !type.equals("box");
        }
    }

    /** An evolved merge parameter with its bounds. */
    public record Param(String name, double min, double max) {}

    /**
     * One fitness objective (maximised): accuracy on a task estimated from {@code n} items, or a synthetic
     * benchmark function with a fixed cost (for testing and benchmarking the engine itself).
     */
    public record ObjectiveSpec(
            String name,
            String task,
            int n,
            String selector,
            String estimator,
            String synthetic,
            double center,
            Duration cost,
            int items,
            External external,
            Plugin plugin) {
        public boolean isSynthetic() {
            return synthetic != null;
        }

        /** Scored by the user's command rather than a task file. */
        public boolean isExternal() {
            return external != null;
        }

        /** Scored by a registered {@link ObjectiveType}. */
        public boolean isPlugin() {
            return plugin != null;
        }
    }

    /**
     * An objective scored by a command of the user's ({@code dev.chimera.eval.ExternalEvaluator}): the candidate is
     * written to a folder under {@code scratch}, the command answers the item ids and the folder is removed.
     *
     * @param command    run with /bin/sh -c; the model folder and items file are "$1" and "$2"
     * @param timeout    longest one evaluation may take (then a failed attempt)
     * @param itemsFile  item ids, one per line (absolute path), or null
     * @param itemCount  ids "0".."N-1" when there is no items file; 0 with no file = a score-only command
     * @param scratch    where candidates are written (default /dev/shm, else the temporary folder)
     * @param url        an evaluation service instead of a command (then {@code command} is null)
     */
    public record External(
            String command, Duration timeout, String itemsFile, int itemCount, String scratch, String url) {}

    /**
     * An objective scored by a registered {@link ObjectiveType}.
     *
     * @param type     its name ({@code type} in the run file)
     * @param settings the objective's block as written, for the type's own keys
     */
    public record Plugin(String type, Config settings) {}

    static final List<String> SYNTHETIC = List.of("sphere", "rastrigin");

    /** Reads a run file; errors name the file and the key. */
    public static RunSpec load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new RunException("run file " + file + " does not exist");
        }
        Config c;
        try {
            c = ConfigFactory.parseFile(
                            file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
                    .resolve();
        } catch (ConfigException e) {
            throw new RunException("run file " + file + ": " + e.getMessage(), e);
        }
        return fromConfig(c, file.toAbsolutePath().getParent(), file.toString());
    }

    /** Parses the rendered text a coordinator sends (paths already absolute). */
    public static RunSpec parse(String text) {
        Config c;
        try {
            c = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF))
                    .resolve();
        } catch (ConfigException e) {
            throw new RunException("run config: " + e.getMessage(), e);
        }
        return fromConfig(c, Path.of("").toAbsolutePath(), "run config");
    }

    static RunSpec fromConfig(Config root, Path dir, String origin) {
        if (!root.hasPath("run")) {
            throw new RunException(origin + ": missing key 'run'");
        }
        Keys k = new Keys(root.getConfig("run"), origin, "run.");
        try {
            String name = k.string("name", null);
            Path output = dir.resolve(k.string("output", "runs/" + (name == null ? "run" : name)))
                    .normalize();
            if (name == null) {
                name = output.getFileName().toString();
            }
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw k.error("name", "must match [A-Za-z0-9._-]+, got '" + name + "'");
            }
            long seed = k.c.hasPath("seed") ? k.c.getLong("seed") : 0;
            List<String> devices = k.c.hasPath("devices") ? k.c.getStringList("devices") : List.of("cpu");
            Map<String, String> models = new LinkedHashMap<>();
            if (k.c.hasPath("models")) {
                for (var e : k.c.getObject("models").entrySet()) {
                    if (e.getValue().valueType() != ConfigValueType.STRING) {
                        throw k.error("models." + e.getKey(), "must be a folder path");
                    }
                    models.put(
                            e.getKey(),
                            dir.resolve((String) e.getValue().unwrapped())
                                    .normalize()
                                    .toString());
                }
            }
            GenomeSpec genome = genome(k.sub("genome"), models);
            Keys alg = k.sub("algorithm");
            String algorithm = alg.string("name", null);
            if (algorithm == null) {
                throw alg.error("name", "is missing (cmaes, ga, de, nsga2, random)");
            }
            Config settings = alg.c.hasPath("settings") ? alg.c.getConfig("settings") : ConfigFactory.empty();
            List<ObjectiveSpec> objectives = new ArrayList<>();
            if (!k.c.hasPath("objectives")) {
                throw k.error("objectives", "is missing");
            }
            List<? extends Config> os = k.c.getConfigList("objectives");
            if (os.isEmpty()) {
                throw k.error("objectives", "is empty");
            }
            for (int i = 0; i < os.size(); i++) {
                objectives.add(objective(new Keys(os.get(i), origin, "run.objectives[" + i + "]."), dir, genome));
            }
            if (objectives.stream().map(ObjectiveSpec::name).distinct().count() != objectives.size()) {
                throw k.error("objectives", "names must be distinct");
            }
            Budget budget = budget(k.sub("budget"));
            boolean dedup = !k.c.hasPath("dedup") || k.c.getBoolean("dedup");
            int mergeThreads = k.c.hasPath("merge-threads") ? k.c.getInt("merge-threads") : 2;
            int torchThreads = k.c.hasPath("torch-threads") ? k.c.getInt("torch-threads") : 0;
            if (torchThreads < 0) {
                throw k.error(
                        "torch-threads",
                        "must be >= 0 (0 = the node's chimera.node.torch-threads), got " + torchThreads);
            }
            Path cache = k.c.hasPath("response-cache")
                    ? dir.resolve(k.c.getString("response-cache")).normalize()
                    : Path.of(System.getProperty("user.home"), ".cache", "chimera", "responses");
            Fidelity fidelity = k.c.hasPath("fidelity") ? fidelity(k.sub("fidelity"), objectives) : null;
            RunSpec partial = new RunSpec(
                    name,
                    output,
                    seed,
                    List.copyOf(devices),
                    // the run file's order (Map.copyOf's order changes from one JVM to the next)
                    Collections.unmodifiableMap(models),
                    genome,
                    algorithm,
                    settings,
                    List.copyOf(objectives),
                    budget,
                    dedup,
                    mergeThreads,
                    torchThreads,
                    cache,
                    fidelity,
                    null);
            return partial.withText(render(partial, root));
        } catch (ConfigException e) {
            throw new RunException(origin + ": " + e.getMessage(), e);
        }
    }

    private RunSpec withText(String t) {
        return new RunSpec(
                name,
                output,
                seed,
                devices,
                models,
                genome,
                algorithm,
                algorithmSettings,
                objectives,
                budget,
                dedup,
                mergeThreads,
                torchThreads,
                responseCache,
                fidelity,
                t);
    }

    /** The run's config with every path made absolute, so it means the same on every node. */
    private static String render(RunSpec s, Config root) {
        Config run = root.getConfig("run")
                .withValue(
                        "output",
                        ConfigFactory.parseMap(Map.of("v", s.output.toString())).getValue("v"))
                .withValue("name", ConfigFactory.parseMap(Map.of("v", s.name)).getValue("v"))
                .withValue(
                        "response-cache",
                        ConfigFactory.parseMap(Map.of("v", s.responseCache.toString()))
                                .getValue("v"));
        if (!s.models.isEmpty()) {
            run = run.withValue("models", ConfigFactory.parseMap(s.models).root());
        }
        List<Object> objs = new ArrayList<>();
        for (int i = 0; i < s.objectives.size(); i++) {
            Config o = run.getConfigList("objectives").get(i);
            if (s.objectives.get(i).task() != null) {
                o = o.withValue(
                        "task",
                        ConfigFactory.parseMap(Map.of("v", s.objectives.get(i).task()))
                                .getValue("v"));
            }
            RunSpec.External x = s.objectives.get(i).external();
            if (x != null && x.itemsFile() != null) {
                o = o.withValue(
                        "items-file",
                        ConfigFactory.parseMap(Map.of("v", x.itemsFile())).getValue("v"));
            }
            objs.add(o.root().unwrapped());
        }
        run = run.withValue(
                "objectives", ConfigFactory.parseMap(Map.of("v", objs)).getValue("v"));
        return ConfigFactory.empty()
                .withValue("run", run.root())
                .root()
                .render(ConfigRenderOptions.concise().setFormatted(true).setJson(false));
    }

    private static GenomeSpec genome(Keys g, Map<String, String> models) {
        String type = g.string("type", "parameters");
        if (!type.equals("box") && !GenomeTypes.names().contains(type)) {
            throw g.error(
                    "type",
                    "unknown genome type '" + type + "' (known: " + String.join(", ", GenomeTypes.names()) + ", box)");
        }
        if (type.equals("box")) {
            int dim = g.c.hasPath("dimension") ? g.c.getInt("dimension") : 0;
            if (dim <= 0) {
                throw g.error("dimension", "must be a positive integer for a box genome");
            }
            double min = g.c.hasPath("min") ? g.c.getDouble("min") : 0;
            double max = g.c.hasPath("max") ? g.c.getDouble("max") : 1;
            if (!(min < max)) {
                throw g.error("min", "must be below max");
            }
            // a box genome's "build" stands in for a merge of this cost (engine tests and benchmarks)
            Duration buildCost = g.c.hasPath("build-cost") ? g.c.getDuration("build-cost") : Duration.ZERO;
            return new GenomeSpec(
                    type, null, null, List.of(), null, 1, List.of(), false, false, false, false, Map.of(), null, 0, 0,
                    false, 0, 0, dim, min, max, buildCost, null, g.c);
        }
        if (models.isEmpty()) {
            throw g.error("models", "a merge genome needs run.models (name = folder)");
        }
        List<String> ms = g.c.hasPath("models") ? g.c.getStringList("models") : List.copyOf(models.keySet());
        for (int i = 0; i < ms.size(); i++) {
            if (!models.containsKey(ms.get(i))) {
                throw g.error("models[" + i + "]", "'" + ms.get(i) + "' is not in run.models " + models.keySet());
            }
        }
        String base = g.string("base", null);
        if (base != null && !models.containsKey(base)) {
            throw g.error("base", "'" + base + "' is not in run.models " + models.keySet());
        }
        Integer layers = g.c.hasPath("layers") ? g.c.getInt("layers") : null;
        String method = g.string("method", type.equals("parameters") ? null : "passthrough");
        if (method == null) {
            throw g.error("method", "is missing (a mergekit merge method, e.g. ties)");
        }
        List<Param> params = new ArrayList<>();
        if (g.c.hasPath("params")) {
            List<? extends Config> ps = g.c.getConfigList("params");
            for (int i = 0; i < ps.size(); i++) {
                Keys p = new Keys(ps.get(i), g.origin, g.prefix + "params[" + i + "].");
                String pn = p.string("name", null);
                if (pn == null) {
                    throw p.error("name", "is missing");
                }
                double lo = p.c.hasPath("min") ? p.c.getDouble("min") : 0;
                double hi = p.c.hasPath("max") ? p.c.getDouble("max") : 1;
                if (!(lo <= hi)) {
                    throw p.error("min", "must not exceed max");
                }
                params.add(new Param(pn, lo, hi));
            }
        } else if (type.equals("parameters")) {
            throw g.error("params", "is missing (e.g. [{name = weight, min = 0, max = 1}])");
        }
        Map<String, Object> fixed =
                g.c.hasPath("fixed") ? g.c.getObject("fixed").unwrapped() : Map.of();
        return new GenomeSpec(
                type,
                method,
                base,
                List.copyOf(ms),
                layers,
                g.c.hasPath("layer-groups") ? g.c.getInt("layer-groups") : 1,
                List.copyOf(params),
                g.bool("module-filters"),
                g.bool("embed-group"),
                g.bool("head-group"),
                g.bool("smooth"),
                Map.copyOf(fixed),
                g.string("dtype", null),
                g.c.hasPath("repeats") ? g.c.getInt("repeats") : 1,
                g.c.hasPath("max-depth") ? g.c.getInt("max-depth") : 0,
                g.bool("scales"),
                g.c.hasPath("scale-min") ? g.c.getDouble("scale-min") : 0,
                g.c.hasPath("scale-max") ? g.c.getDouble("scale-max") : 2,
                0,
                0,
                0,
                Duration.ZERO,
                g.string("architecture", null),
                g.c);
    }

    private static ObjectiveSpec objective(Keys o, Path dir, GenomeSpec genome) {
        String name = o.string("name", null);
        if (name == null) {
            throw o.error("name", "is missing");
        }
        String task = o.string("task", null);
        String synthetic = o.string("synthetic", null);
        String command = o.string("command", null);
        String url = o.string("url", null);
        if (command != null && url != null) {
            throw o.error("url", "give 'command' or 'url' (an evaluation service), not both");
        }
        String type = o.string("type", null);
        boolean external = command != null || url != null;
        if ((task == null ? 0 : 1) + (synthetic == null ? 0 : 1) + (external ? 1 : 0) + (type == null ? 0 : 1) != 1) {
            throw o.error(
                    "task",
                    "give exactly one of 'task' (a task file), 'command' or 'url' (an external evaluator), 'type' (a registered"
                            + " objective type) or 'synthetic' (" + String.join(", ", SYNTHETIC) + ")");
        }
        if (synthetic != null) {
            if (!SYNTHETIC.contains(synthetic)) {
                throw o.error(
                        "synthetic",
                        "unknown function '" + synthetic + "' (known: " + String.join(", ", SYNTHETIC) + ")");
            }
            int items = o.c.hasPath("items") ? o.c.getInt("items") : 0;
            if (items < 0) {
                throw o.error("items", "must be >= 0 (0 = the function's value itself)");
            }
            return new ObjectiveSpec(
                    name,
                    null,
                    0,
                    null,
                    null,
                    synthetic,
                    o.c.hasPath("center") ? o.c.getDouble("center") : 0,
                    o.c.hasPath("cost") ? o.c.getDuration("cost") : Duration.ZERO,
                    items,
                    null,
                    null);
        }
        if (external) {
            return external(o, dir, genome, name, command, url);
        }
        if (type != null) {
            return plugin(o, genome, name, type);
        }
        if (!genome.merges()) {
            throw o.error("task", "a task objective needs a merge genome (genome.type parameters or layer-path)");
        }
        // existence is checked where the run starts (the coordinator's node), so example files parse anywhere
        Path t = dir.resolve(task).normalize();
        int n = o.c.hasPath("n") ? o.c.getInt("n") : 0;
        if (n < 0) {
            throw o.error("n", "must be >= 0 (0 = every item)");
        }
        return new ObjectiveSpec(
                name,
                t.toString(),
                n,
                o.string("selector", "random"),
                o.string("estimator", "mean"),
                null,
                0,
                null,
                0,
                null,
                null);
    }

    private static ObjectiveSpec plugin(Keys o, GenomeSpec genome, String name, String type) {
        if (!genome.merges()) {
            throw o.error("type", "an objective type needs a merge genome (genome.type parameters or layer-path)");
        }
        if (!ObjectiveTypes.names().contains(type)) {
            throw o.error(
                    "type",
                    "unknown objective type '" + type + "' (registered: "
                            + (ObjectiveTypes.names().isEmpty() ? "none" : String.join(", ", ObjectiveTypes.names()))
                            + "; see docs/extending.md)");
        }
        int n = o.c.hasPath("n") ? o.c.getInt("n") : 0;
        if (n < 0) {
            throw o.error("n", "must be >= 0 (0 = every item)");
        }
        return new ObjectiveSpec(name, null, n, "random", "mean", null, 0, null, 0, null, new Plugin(type, o.c));
    }

    private static ObjectiveSpec external(
            Keys o, Path dir, GenomeSpec genome, String name, String command, String url) {
        if (!genome.merges()) {
            throw o.error(
                    "command", "an external objective needs a merge genome (genome.type parameters or layer-path)");
        }
        if (o.c.hasPath("items-file") && o.c.hasPath("items")) {
            throw o.error("items", "give 'items' (a count) or 'items-file', not both");
        }
        int count = o.c.hasPath("items") ? o.c.getInt("items") : 0;
        if (count < 0) {
            throw o.error("items", "must be >= 0 (0 = the command prints one score)");
        }
        String file = o.c.hasPath("items-file")
                ? dir.resolve(o.string("items-file", null)).normalize().toString()
                : null;
        int n = o.c.hasPath("n") ? o.c.getInt("n") : 0;
        if (n < 0) {
            throw o.error("n", "must be >= 0 (0 = every item)");
        }
        if (!o.string("selector", "random").equals("random")
                || !o.string("estimator", "mean").equals("mean")) {
            throw o.error(
                    "estimator",
                    "an external objective is the mean of its items' results (or the command's score): selector and"
                            + " estimator need a task file");
        }
        Duration timeout = o.c.hasPath("timeout") ? o.c.getDuration("timeout") : Duration.ofHours(1);
        if (timeout.isZero() || timeout.isNegative()) {
            throw o.error("timeout", "must be positive");
        }
        return new ObjectiveSpec(
                name,
                null,
                n,
                "random",
                "mean",
                null,
                0,
                null,
                0,
                new External(command, timeout, file, count, o.string("scratch", null), url),
                null);
    }

    private static Fidelity fidelity(Keys f, List<ObjectiveSpec> objectives) {
        if (!f.c.hasPath("rungs")) {
            throw f.error(
                    "rungs",
                    "is missing (item counts or fractions of the split below the whole split, e.g. [0.05, 0.2])");
        }
        List<Double> rungs;
        try {
            rungs = f.c.getDoubleList("rungs");
        } catch (ConfigException e) {
            throw f.error("rungs", "must be a list of numbers");
        }
        for (int i = 0; i < rungs.size(); i++) {
            double r = rungs.get(i);
            if (!(r > 0) || (r >= 1 && r != Math.rint(r))) {
                throw f.error("rungs[" + i + "]", "must be an item count >= 1 or a fraction in (0, 1), got " + r);
            }
            double prev = i > 0 ? rungs.get(i - 1) : 0;
            if (i > 0 && (r < 1) == (prev < 1) && !(r > prev)) {
                throw f.error("rungs[" + i + "]", "must be above rungs[" + (i - 1) + "] (ascending)");
            }
        }
        int eta = f.c.hasPath("eta") ? f.c.getInt("eta") : 3;
        if (eta < 2) {
            throw f.error("eta", "must be >= 2, got " + eta);
        }
        double z = f.c.hasPath("z") ? f.c.getDouble("z") : 1.0;
        if (!(z >= 0)) {
            throw f.error("z", "must be >= 0, got " + z);
        }
        String estimator = f.string("estimator", "paired");
        if (!Fidelity.ESTIMATORS.contains(estimator)) {
            throw f.error(
                    "estimator",
                    "unknown estimator '" + estimator + "' (known: " + String.join(", ", Fidelity.ESTIMATORS) + ")");
        }
        double budget = f.c.hasPath("budget") ? f.c.getDouble("budget") : 0;
        if (!(budget >= 0 && budget <= 1)) {
            throw f.error("budget", "must be a fraction in [0, 1] (0 = no limit), got " + budget);
        }
        for (int i = 0; i < objectives.size(); i++) {
            ObjectiveSpec o = objectives.get(i);
            if (o.isSynthetic() ? o.items() <= 0 : !o.estimator().equals("mean") || o.n() != 0) {
                throw new RunException(
                        f.origin() + ": run.objectives[" + i + "] (" + o.name() + "): with run.fidelity an objective"
                                + (o.isSynthetic()
                                        ? " needs items > 0"
                                        : " is scored on its whole split: leave out n and estimator"));
            }
        }
        int finalists = f.c.hasPath("finalists") ? f.c.getInt("finalists") : 0;
        if (finalists < 0) {
            throw f.error("finalists", "must be >= 0, got " + finalists);
        }
        int calibration = f.c.hasPath("calibration") ? f.c.getInt("calibration") : 0;
        if (calibration < 0) {
            throw f.error("calibration", "must be >= 0, got " + calibration);
        }
        return new Fidelity(List.copyOf(rungs), eta, z, estimator, budget, finalists, calibration);
    }

    private static Budget budget(Keys b) {
        long gens = b.c.hasPath("generations") ? b.c.getLong("generations") : 0;
        long evals = b.c.hasPath("evaluations") ? b.c.getLong("evaluations") : 0;
        Duration wall = b.c.hasPath("wall-clock") ? b.c.getDuration("wall-clock") : null;
        Double target = b.c.hasPath("target") ? b.c.getDouble("target") : null;
        if (gens < 0 || evals < 0) {
            throw b.error(gens < 0 ? "generations" : "evaluations", "must be >= 0");
        }
        if (gens == 0 && evals == 0 && wall == null && target == null) {
            throw b.error(
                    "generations", "the budget needs at least one of generations, evaluations, wall-clock, target");
        }
        return new Budget(gens, evals, wall, target);
    }

    /** A config section with the origin and key prefix errors should name. */
    private record Keys(Config c, String origin, String prefix) {
        Keys sub(String key) {
            if (!c.hasPath(key)) {
                throw error(key, "is missing");
            }
            if (c.getValue(key).valueType() != ConfigValueType.OBJECT) {
                throw error(key, "must be an object");
            }
            return new Keys(c.getConfig(key), origin, prefix + key + ".");
        }

        String string(String key, String dflt) {
            if (!c.hasPath(key)) {
                return dflt;
            }
            if (c.getValue(key).valueType() == ConfigValueType.OBJECT
                    || c.getValue(key).valueType() == ConfigValueType.LIST) {
                throw error(key, "must be a string");
            }
            return c.getString(key);
        }

        boolean bool(String key) {
            return c.hasPath(key) && c.getBoolean(key);
        }

        RunException error(String key, String msg) {
            return new RunException(origin + ": " + prefix + key + " " + msg);
        }
    }
}
