package dev.chimera.cli;

import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergePlan;
import dev.chimera.merge.MergePlanner;
import dev.chimera.merge.ModelFolders;
import dev.chimera.merge.TensorMerge;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/** {@code chimera merge --print-plan}: one line per output tensor with its inputs and resolved parameters. */
final class PlanPrinter {
    private PlanPrinter() {}

    static void print(MergeConfig cfg, Path configDir, PrintStream out) {
        try (ModelFolders models = ModelFolders.open(cfg.referencedModels(), configDir)) {
            MergePlan plan = MergePlanner.plan(cfg, models::source);
            out.printf(
                    "method %s, %d output tensors, %d layers, %.1f MB, config from %s%n",
                    plan.method(), plan.tensors().size(), plan.outLayers(), plan.outputBytes() / 1e6, plan.donor());
            for (TensorMerge t : plan.tensors()) {
                StringBuilder sb = new StringBuilder();
                sb.append(t.output())
                        .append(' ')
                        .append(Arrays.toString(t.outShape()))
                        .append(' ')
                        .append(t.outDtype());
                if (t.copy()) {
                    sb.append(" copy");
                }
                if (!t.global().asMap().isEmpty()) {
                    sb.append(' ').append(t.global());
                }
                for (int i = 0; i < t.sources().size(); i++) {
                    TensorMerge.Source s = t.sources().get(i);
                    sb.append("\n    ")
                            .append(i == t.baseIndex() ? "base " : "     ")
                            .append(s.model())
                            .append(':')
                            .append(s.tensor());
                    if (!t.perInput().get(i).asMap().isEmpty()) {
                        sb.append(' ').append(t.perInput().get(i));
                    }
                }
                out.println(sb);
            }
        }
    }
}
