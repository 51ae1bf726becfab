package dev.chimera.engine.run;

import dev.chimera.eval.Item;
import dev.chimera.eval.TaskLoader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The items every candidate is evaluated on, per task objective, chosen once per run: all items when
 * {@code n} is 0 or at least the task's size, else a seeded random sample of {@code n} (the estimator is then the
 * mean over them).
 */
public final class ItemChoice {
    private ItemChoice() {
    }

    public static Map<String, List<String>> choose(RunSpec spec) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        int k = 0;
        for (RunSpec.ObjectiveSpec o : spec.objectives()) {
            k++;
            if (o.isSynthetic()) {
                continue;
            }
            if (!o.selector().equals("random") || !o.estimator().equals("mean")) {
                throw new RunException("run.objectives[" + (k - 1) + "]: selector '" + o.selector() + "' with estimator '"
                        + o.estimator() + "' is not supported by the engine yet (use selector = random, estimator = mean)");
            }
            if (!java.nio.file.Files.isRegularFile(Path.of(o.task()))) {
                throw new RunException("run.objectives[" + (k - 1) + "].task: task file " + o.task() + " does not exist");
            }
            List<Item> items = TaskLoader.items(TaskLoader.load(Path.of(o.task())));
            List<String> ids = new ArrayList<>();
            for (Item i : items) {
                ids.add(i.id());
            }
            if (o.n() > 0 && o.n() < ids.size()) {
                // partial Fisher-Yates with a per-objective stream of the run's seed
                Random r = new Random(spec.seed() * 1_000_003L + k);
                for (int i = 0; i < o.n(); i++) {
                    int j = i + r.nextInt(ids.size() - i);
                    String t = ids.get(i);
                    ids.set(i, ids.get(j));
                    ids.set(j, t);
                }
                ids = new ArrayList<>(ids.subList(0, o.n()));
            }
            out.put(o.name(), List.copyOf(ids));
        }
        return out;
    }
}
