package dev.chimera.zoo;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    private ZooExperiment() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("ai.djl.offline", "true");
        List<Long> seeds = List.of(0L, 1L, 2L);
        int candidates = 120;
        Path root = null;
        Path results = null;
        String method = "task_arithmetic";
        double upper = 1.5;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--seeds" -> seeds = Arrays.stream(v.split(",")).map(Long::parseLong).toList();
                case "--candidates" -> candidates = Integer.parseInt(v);
                case "--root" -> root = Path.of(v);
                case "--results" -> results = Path.of(v);
                case "--method" -> method = v;
                case "--upper" -> upper = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ZooSpec spec = ZooSpec.defaults();
        for (long seed : seeds) {
            Path dir = root == null ? ZooBuilder.defaultDir(spec, seed) : root.resolve(spec.key() + "-seed" + seed);
            ObjectNode r = runSeed(dir, spec, seed, candidates, method, upper);
            System.out.println("RESULT " + r);
            if (results != null) {
                Files.writeString(results, r + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    static ObjectNode runSeed(Path dir, ZooSpec spec, long seed, int candidates, String method, double upper) {
        ObjectNode r = JSON.createObjectNode();
        r.put("seed", seed);
        r.put("key", spec.key());
        long t0 = System.nanoTime();
        Zoo zoo = ZooBuilder.openOrBuild(dir, spec, seed, s -> System.out.println("[seed " + seed + "] " + s));
        r.put("zooSeconds", (System.nanoTime() - t0) / 1e9);
        try (ZooEval eval = new ZooEval(zoo); NDManager root = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ObjectNode acc = r.putObject("test");
            ObjectNode skills = r.putObject("skills");
            long te = System.nanoTime();
            for (Map.Entry<String, Path> m : Map.of("base", zoo.base(), "expert1", zoo.expert1(), "expert2",
                    zoo.expert2()).entrySet()) {
                try (CausalLM lm = CausalLM.load(m.getValue())) {
                    acc.put(m.getKey(), eval.accuracy(lm, Zoo.TARGET_TEST));
                    acc.put(m.getKey() + "_search", eval.accuracy(lm, Zoo.TARGET_SEARCH));
                    skills.put(m.getKey() + "_arith_a", eval.accuracy(lm, Zoo.SKILL1_TEST));
                    skills.put(m.getKey() + "_count_b", eval.accuracy(lm, Zoo.SKILL2_TEST));
                }
            }
            r.put("parentEvalSeconds", (System.nanoTime() - te) / 1e9);
            ParameterGenome genome = ParameterGenome.builder(method)
                    .baseModel(zoo.base().toString())
                    .models(List.of(zoo.expert1().toString(), zoo.expert2().toString()))
                    .param(ParamGene.perModel("weight", 0, upper))
                    .layers(spec.layers(), spec.layers())
                    .embedGroup(true).headGroup(true)
                    .dtype("float32").build();
            double[] ones = new double[genome.dimension()];
            Arrays.fill(ones, 1.0);
            double[] halves = new double[genome.dimension()];
            Arrays.fill(halves, 0.5);
            acc.put("ta_1_1", eval.mergedAccuracy(genome.decode(ones), Zoo.TARGET_TEST, root));
            acc.put("ta_05_05", eval.mergedAccuracy(genome.decode(halves), Zoo.TARGET_TEST, root));

            long ts = System.nanoTime();
            Optimizer opt = Optimizers.create("cmaes", genome.bounds(), 1, seed);
            double best = -1;
            double[] bestGenes = null;
            ArrayNode trace = r.putArray("trace");
            while (opt.evaluations() < candidates) {
                List<Candidate> batch = opt.ask(candidates - (int) opt.evaluations());
                if (batch.isEmpty()) {
                    break;
                }
                for (Candidate c : batch) {
                    double a = eval.mergedAccuracy(genome.decode(c.genes()), Zoo.TARGET_SEARCH, root);
                    opt.tell(c.id(), new double[] {a});
                    if (a > best) {
                        best = a;
                        bestGenes = c.genes();
                    }
                }
                trace.add(best);
                System.out.printf("[seed %d] %d candidates, best search %.3f (%.2f s/candidate)%n", seed,
                        opt.evaluations(), best, (System.nanoTime() - ts) / 1e9 / opt.evaluations());
            }
            double searchSeconds = (System.nanoTime() - ts) / 1e9;
            r.put("candidates", opt.evaluations());
            r.put("searchSeconds", searchSeconds);
            r.put("secondsPerCandidate", searchSeconds / opt.evaluations());
            r.put("bestSearch", best);
            ArrayNode genes = r.putArray("bestGenes");
            for (double g : bestGenes) {
                genes.add(Math.round(g * 1000) / 1000.0);
            }
            r.put("geneNames", String.join(",", genome.geneNames()));
            MergeConfig bestMerge = genome.decode(bestGenes);
            acc.put("searched", eval.mergedAccuracy(bestMerge, Zoo.TARGET_TEST, root));
            skills.put("searched_arith_a", eval.mergedAccuracy(bestMerge, Zoo.SKILL1_TEST, root));
            skills.put("searched_count_b", eval.mergedAccuracy(bestMerge, Zoo.SKILL2_TEST, root));
            double parent = Math.max(acc.get("expert1").asDouble(), acc.get("expert2").asDouble());
            r.put("gainOverBestParent", 100 * (acc.get("searched").asDouble() - parent));
            r.put("gainOverTa", 100 * (acc.get("searched").asDouble()
                    - Math.max(acc.get("ta_1_1").asDouble(), acc.get("ta_05_05").asDouble())));
            r.put("totalSeconds", (System.nanoTime() - t0) / 1e9);
        }
        return r;
    }
}
