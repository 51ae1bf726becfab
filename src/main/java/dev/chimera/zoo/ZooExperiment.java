package dev.chimera.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.chimera.merge.MergeConfig;
import dev.chimera.model.CausalLM;
import dev.chimera.search.Candidate;
import dev.chimera.search.Optimizer;
import dev.chimera.search.Optimizers;
import dev.chimera.search.genome.ParamGene;
import dev.chimera.search.genome.ParameterGenome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The zoo experiment (a benchmark main, not a test): for each zoo seed, builds (or reuses) the zoo and measures the
 * held-out target accuracy of the base, both experts, uniform task arithmetic (1/1 and 0.5/0.5) and a merge searched
 * by CMA-ES on the search split, with timings. Results go to stdout and, one JSON object per seed, to
 * {@code --results FILE}.
 *
 * <pre>
 * java -cp target/classes:$(cat cp.txt) dev.chimera.zoo.ZooExperiment --seeds 0,1,2 --candidates 120 \
 *     --root /tmp/zoos --results docs/zoo-results.jsonl
 * </pre>
 */
public final class ZooExperiment {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ZooExperiment() {}

    public static void main(String[] args) throws IOException {
        System.setProperty("ai.djl.offline", "true");
        List<Long> seeds = List.of(0L, 1L, 2L);
        int candidates = 120;
        Path root = null;
        Path results = null;
        String method = "task_arithmetic";
        double upper = 1.5;
        int groups = -1;
        boolean soft = false;
        ZooSpec spec = ZooSpec.defaults();
        double mean0 = Double.NaN;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--seeds" ->
                    seeds = Arrays.stream(v.split(",")).map(Long::parseLong).toList();
                case "--candidates" -> candidates = Integer.parseInt(v);
                case "--root" -> root = Path.of(v);
                case "--results" -> results = Path.of(v);
                case "--method" -> method = v;
                case "--upper" -> upper = Double.parseDouble(v);
                case "--groups" -> groups = Integer.parseInt(v);
                case "--fitness" ->
                    soft = switch (v) {
                        case "match" -> false;
                        case "prob" -> true;
                        default -> throw new IllegalArgumentException("--fitness " + v + " (match or prob)");
                    };
                case "--spec" -> spec = v.equals("tiny") ? ZooSpec.tiny() : ZooSpec.defaults();
                case "--tune" -> {
                    // expert 2's second fine-tune: STEPS,LR[,body] (how far its body drifts from the base; "body":
                    // everything but the token embedding, so the B rows stay aligned with the base's reading)
                    String[] t = v.split(",");
                    Trainer.Settings e = spec.expert2Tune();
                    spec = spec.withExpert2Tune(new Trainer.Settings(
                            Integer.parseInt(t[0]),
                            e.batch(),
                            Double.parseDouble(t[1]),
                            e.warmup(),
                            e.minLrFraction(),
                            e.weightDecay(),
                            e.clip(),
                            t.length > 2 && t[2].equals("body") ? ZooSpec.ALL_BUT_EMBEDDING : e.trainable(),
                            e.tokenRows()));
                }
                case "--mean0" -> mean0 = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        for (long seed : seeds) {
            Path dir = root == null ? ZooBuilder.defaultDir(spec, seed) : root.resolve(spec.key() + "-seed" + seed);
            ObjectNode r = runSeed(dir, spec, seed, candidates, method, upper, groups, soft, mean0);
            System.out.println("RESULT " + r);
            if (results != null) {
                Files.writeString(results, r + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    static ObjectNode runSeed(
            Path dir,
            ZooSpec spec,
            long seed,
            int candidates,
            String method,
            double upper,
            int groups,
            boolean soft,
            double mean0) {
        ObjectNode r = JSON.createObjectNode();
        r.put("seed", seed);
        r.put("key", spec.key());
        r.put("fitness", soft ? "prob" : "match");
        long t0 = System.nanoTime();
        Zoo zoo = ZooBuilder.openOrBuild(dir, spec, seed, s -> System.out.println("[seed " + seed + "] " + s));
        r.put("zooSeconds", (System.nanoTime() - t0) / 1e9);
        try (ZooEval eval = new ZooEval(zoo)) {
            ObjectNode fast = r.putObject("greedyMatch");
            long te = System.nanoTime();
            Map<String, Path> parents = new LinkedHashMap<>();
            parents.put("base", zoo.base());
            parents.put("expert1", zoo.expert1());
            parents.put("expert2", zoo.expert2());
            for (Map.Entry<String, Path> m : parents.entrySet()) {
                try (CausalLM lm = CausalLM.load(m.getValue())) {
                    for (String task : List.of(Zoo.TARGET_SEARCH, Zoo.TARGET_TEST, Zoo.SKILL1_TEST, Zoo.SKILL2_TEST)) {
                        fast.put(m.getKey() + "." + task, eval.greedyMatch(lm, task));
                    }
                }
            }
            r.put("parentEvalSeconds", (System.nanoTime() - te) / 1e9);
            System.out.println("[seed " + seed + "] parents " + fast);
            ParameterGenome genome = ParameterGenome.builder(method)
                    .baseModel(zoo.base().toString())
                    .models(List.of(zoo.expert1().toString(), zoo.expert2().toString()))
                    .param(ParamGene.perModel("weight", 0, upper))
                    .layers(spec.layers(), groups < 0 ? spec.layers() : groups)
                    .embedGroup(true)
                    .headGroup(true)
                    .dtype("float32")
                    .build();
            double[] ones = new double[genome.dimension()];
            Arrays.fill(ones, 1.0);
            double[] halves = new double[genome.dimension()];
            Arrays.fill(halves, 0.5);
            Map<String, MergeConfig> merges = new LinkedHashMap<>();
            merges.put("ta_1_1", genome.decode(ones));
            merges.put("ta_05_05", genome.decode(halves));
            // the mechanism a merge can use: all of expert 1, expert 2's lexical tensors only
            List<String> names = genome.geneNames();
            double[] graft = new double[genome.dimension()];
            double[] graftEmbed = new double[genome.dimension()];
            for (int i = 0; i < graft.length; i++) {
                boolean e2 = names.get(i).contains(Zoo.EXPERT2);
                graft[i] =
                        !e2 || names.get(i).endsWith(".embed") || names.get(i).endsWith(".head") ? 1 : 0;
                graftEmbed[i] = !e2 || names.get(i).endsWith(".embed") ? 1 : 0;
            }
            merges.put("graft_embed_head", genome.decode(graft));
            merges.put("graft_embed", genome.decode(graftEmbed));
            for (Map.Entry<String, MergeConfig> m : merges.entrySet()) {
                for (String task : List.of(Zoo.TARGET_SEARCH, Zoo.TARGET_TEST, Zoo.SKILL1_TEST, Zoo.SKILL2_TEST)) {
                    fast.put(m.getKey() + "." + task, eval.mergedGreedyMatch(m.getValue(), task));
                }
            }
            System.out.println("[seed " + seed + "] uniform merges " + fast);
            if (candidates > 0) {
                long ts = System.nanoTime();
                // from the box centre, or (--mean0 V) from every weight V, e.g. 1.0 = the uniform merge
                Optimizer opt = Double.isNaN(mean0)
                        ? Optimizers.create("cmaes", genome.bounds(), 1, seed)
                        : Optimizers.create(
                                "cmaes",
                                genome.bounds(),
                                1,
                                seed,
                                ConfigFactory.parseString(
                                        "mean0 = " + Arrays.toString(ones).replace("1.0", Double.toString(mean0))));
                double best = -1;
                double[] bestGenes = null;
                ArrayNode trace = r.putArray("trace");
                while (opt.evaluations() < candidates) {
                    List<Candidate> batch = opt.ask(candidates - (int) opt.evaluations());
                    if (batch.isEmpty()) {
                        break;
                    }
                    for (Candidate c : batch) {
                        MergeConfig merge = genome.decode(c.genes());
                        double a = soft
                                ? eval.mergedAnswerProbability(merge, Zoo.TARGET_SEARCH)
                                : eval.mergedGreedyMatch(merge, Zoo.TARGET_SEARCH);
                        opt.tell(c.id(), new double[] {a});
                        if (a > best) {
                            best = a;
                            bestGenes = c.genes();
                        }
                    }
                    trace.add(best);
                    System.out.printf(
                            "[seed %d] %d candidates, best search %.3f (%.2f s/candidate)%n",
                            seed, opt.evaluations(), best, (System.nanoTime() - ts) / 1e9 / opt.evaluations());
                }
                double searchSeconds = (System.nanoTime() - ts) / 1e9;
                r.put("candidates", opt.evaluations());
                r.put("searchSeconds", searchSeconds);
                r.put("secondsPerCandidate", searchSeconds / opt.evaluations());
                ArrayNode genes = r.putArray("bestGenes");
                for (double g : bestGenes) {
                    genes.add(Math.round(g * 1000) / 1000.0);
                }
                r.put("geneNames", String.join(",", genome.geneNames()).replace(zoo.dir() + "/", ""));
                merges.put("searched", genome.decode(bestGenes));
                for (String task : List.of(Zoo.TARGET_SEARCH, Zoo.TARGET_TEST, Zoo.SKILL1_TEST, Zoo.SKILL2_TEST)) {
                    fast.put("searched." + task, eval.mergedGreedyMatch(merges.get("searched"), task));
                }
            }
            // the reported numbers: held-out test accuracy through the task runner (greedy generation, last number)
            long tr = System.nanoTime();
            ObjectNode acc = r.putObject("test");
            for (Map.Entry<String, Path> m : parents.entrySet()) {
                try (CausalLM lm = CausalLM.load(m.getValue())) {
                    acc.put(m.getKey(), eval.accuracy(lm, Zoo.TARGET_TEST));
                }
            }
            for (Map.Entry<String, MergeConfig> m : merges.entrySet()) {
                acc.put(m.getKey(), eval.mergedAccuracy(m.getValue(), Zoo.TARGET_TEST));
            }
            r.put("runnerEvalSeconds", (System.nanoTime() - tr) / 1e9);
            if (acc.has("searched")) {
                double parent = Math.max(
                        acc.get("expert1").asDouble(), acc.get("expert2").asDouble());
                r.put("gainOverBestParent", 100 * (acc.get("searched").asDouble() - parent));
                r.put(
                        "gainOverTa",
                        100
                                * (acc.get("searched").asDouble()
                                        - Math.max(
                                                acc.get("ta_1_1").asDouble(),
                                                acc.get("ta_05_05").asDouble())));
            }
            r.put("totalSeconds", (System.nanoTime() - t0) / 1e9);
        }
        return r;
    }
}
