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

    /** The inputs' tensors the architecture does not list, which are not written (as mergekit drops them). */
    static void printUnlisted(MergePlan plan, PrintStream out) {
        if (plan.unlisted().isEmpty()) {
            return;
        }
        int shown = Math.min(5, plan.unlisted().size());
        out.printf(
                "note: %d input tensors are not part of architecture %s and are not written: %s%s%n",
                plan.unlisted().size(),
                plan.architecture(),
                String.join(", ", plan.unlisted().subList(0, shown)),
                shown < plan.unlisted().size() ? ", ..." : "");
    }

    static void print(MergeConfig cfg, Path configDir, PrintStream out) {
        try (ModelFolders models = ModelFolders.open(cfg.referencedModels(), configDir)) {
            MergePlan plan = MergePlanner.plan(cfg, models::source);
            out.printf(
                    "method %s, architecture %s, %d output tensors, %d layers, %.1f MB, config from %s%n",
                    plan.method(),
                    plan.architecture(),
                    plan.tensors().size(),
                    plan.outLayers(),
                    plan.outputBytes() / 1e6,
                    plan.donor());
            printUnlisted(plan, out);
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
