package dev.chimera.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Full-size benchmark runs of {@code ga} and {@code nsga2} (not a unit test): NSGA-II on ZDT1/ZDT2 with 30
 * variables, population 100 and 250 generations (25,000 evaluations), and the GA on 10-D sphere and Rastrigin with
 * 10,000 evaluations at populations 50 and 100 (and 100 with elitism 10, and the BLX/Gaussian operators), seeds
 * 1 to 5. Prints JSON for the side-by-side report with pymoo.
 *
 * <p>Run: {@code mvn -B -q test-compile && java -cp target/test-classes:target/classes:$(mvn -B -q
 * dependency:build-classpath -Dmdep.outputFile=/dev/stdout) dev.chimera.search.GeneticAlgorithmBenchmark}
 */
public final class GeneticAlgorithmBenchmark {
    private GeneticAlgorithmBenchmark() {}

    public static void main(String[] args) throws Exception {
        ObjectNode out = new ObjectMapper().createObjectNode();
        ObjectNode runs = out.putObject("runs");
        for (int which = 1; which <= 2; which++) {
            Function<double[], double[]> f =
                    which == 1 ? x -> Nsga2Test.negate(Problems.zdt1(x)) : x -> Nsga2Test.negate(Problems.zdt2(x));
            ArrayNode rows = runs.putArray("zdt" + which);
            for (int seed = 1; seed <= 5; seed++) {
                long t0 = System.nanoTime();
                Nsga2 opt = (Nsga2) Optimizers.create("nsga2", Bounds.uniform(30, 0, 1), 2, seed);
                Drive.run(opt, f, 25_000, e -> false);
                double seconds = (System.nanoTime() - t0) / 1e9;
                ObjectNode r = rows.addObject();
                r.put("seed", seed);
                r.put("evaluations", opt.evaluations());
                r.put("generations", opt.generation());
                r.put("hv_final_population", Nsga2Test.hypervolume(Pareto.nonDominated(opt.population())));
                r.put("hv_all_evaluations", Nsga2Test.hypervolume(opt.best()));
                r.put("archive_size", opt.best().size());
                r.put("seconds", seconds);
                System.err.printf("ZDT%d seed %d: %s%n", which, seed, r);
            }
        }
        for (String settings : List.of(
                "population = 50",
                "population = 100",
                "population = 100, survival = generational, elitism = 2, tournament = 3, eliminate_duplicates = false",
                "population = 100, survival = generational, elitism = 10, tournament = 3, eliminate_duplicates = false",
                "population = 50, crossover = blend, mutation = gaussian")) {
            for (String fn : List.of("sphere", "rastrigin")) {
                Function<double[], double[]> f =
                        Drive.minimize(fn.equals("sphere") ? Problems::sphere : Problems::rastrigin);
                List<ObjectNode> rows = new ArrayList<>();
                for (int seed = 1; seed <= 5; seed++) {
                    long t0 = System.nanoTime();
                    Optimizer opt = Optimizers.create(
                            "ga", Bounds.uniform(10, -5.12, 5.12), 1, seed, ConfigFactory.parseString(settings));
                    Drive.run(opt, f, 10_000, e -> false);
                    ObjectNode r = new ObjectMapper().createObjectNode();
                    r.put("seed", seed);
                    r.put("best", -opt.best().get(0).objective(0));
                    r.put("evaluations", opt.evaluations());
                    r.put("seconds", (System.nanoTime() - t0) / 1e9);
                    rows.add(r);
                    System.err.printf("GA [%s] %s seed %d: %s%n", settings, fn, seed, r);
                }
                String key = fn + "_" + settings.replaceAll("[^a-z0-9]+", "_").replaceAll("_+$", "");
                runs.putArray(key).addAll(rows);
            }
        }
        System.out.println(
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    }
}
