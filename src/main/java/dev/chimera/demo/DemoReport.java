package dev.chimera.demo;

import dev.chimera.engine.run.RunSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The demo's report as Markdown: printed at the end and kept as {@code demo.md} in the run folder. */
final class DemoReport {
    private DemoReport() {}

    static String markdown(DemoResult r, RunSpec spec) {
        StringBuilder b = new StringBuilder();
        boolean multi = r.mode().equals(Demo.MODE_MULTI);
        b.append("# chimera demo")
                .append(multi ? " --multi-objective" : "")
                .append(": run ")
                .append(r.runId())
                .append("\n\n");
        b.append("Zoo ")
                .append(r.zooDir())
                .append(", run folder ")
                .append(r.runDir())
                .append(", run file ")
                .append(r.runFile().getFileName())
                .append(".\n");
        List<String> objectives =
                spec.objectives().stream().map(RunSpec.ObjectiveSpec::name).toList();
        int n = spec.objectives().get(0).n();
        DemoResult.SearchCost c = r.search();
        if (spec.fidelity() != null) {
            b.append(String.format(
                    Locale.ROOT,
                    "Search: %s, %d candidates, multi-fidelity (rungs %s of the search split, eta %d):"
                            + " %d item evaluations on candidates and the start point, plus %d for the parents' answers"
                            + " (compared with): %d in all, %.3f of scoring every candidate on every item (%d).%n%n",
                    spec.algorithm(),
                    c.candidates(),
                    spec.fidelity().rungs(),
                    spec.fidelity().eta(),
                    c.candidateItems(),
                    c.extractItems(),
                    c.totalItems(),
                    c.ratio(),
                    c.fullItems()));
        } else {
            b.append(String.format(
                    Locale.ROOT,
                    "Search: %s, %d candidates x %d items per objective (%s) = %d item evaluations,"
                            + " plus the extract stage's %d (the parents on every item%s): %d in all.%n%n",
                    spec.algorithm(),
                    c.candidates(),
                    n,
                    String.join(", ", objectives),
                    c.candidateItems(),
                    c.extractItems(),
                    c.extractFromCache() ? ", read from the response cache" : "",
                    c.totalItems()));
        }
        if (multi) {
            multiTable(b, r, objectives);
        } else {
            singleTable(b, r);
        }
        b.append("\n| phase | wall time |\n| --- | ---: |\n");
        for (String p : List.of("zoo", "extract", "search", "heldOutEval", "estimatorCheck", "total")) {
            if (r.phaseSeconds().containsKey(p)) {
                b.append(String.format(
                        Locale.ROOT,
                        "| %s | %.1f s |%n",
                        phaseName(p),
                        r.phaseSeconds().get(p)));
            }
        }
        b.append("\nThe extract and search times are the run's own (summed over its sessions); the others are this"
                + " invocation's. Times are wall clock on this machine, under whatever else it was running.\n");
        return b.toString();
    }

    private static String phaseName(String p) {
        return switch (p) {
            case "zoo" -> "zoo (build or reuse)";
            case "extract" -> "extract stage (parents on the search split, IRT fit)";
            case "search" -> "search (candidates merged and scored, outputs written)";
            case "heldOutEval" -> "held-out evaluation";
            case "estimatorCheck" -> "estimator check";
            default -> p;
        };
    }

    private static void singleTable(StringBuilder b, DemoResult r) {
        String test = r.rows().get(0).heldOut().keySet().iterator().next();
        DemoResult.Row evolved = r.row("evolved");
        b.append("| model | ").append(test).append(" (held-out) | items evaluated | wall time |\n");
        b.append("| --- | ---: | ---: | ---: |\n");
        for (DemoResult.Row row : r.rows()) {
            String name = row == evolved ? "evolved (candidate " + row.candidateId() + ") *" : row.model();
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f %% | %d | %.1f s |%n",
                    name,
                    100 * row.heldOut().get(test),
                    row.itemsEvaluated(),
                    row.seconds()));
        }
        boolean raced = !r.comparisons().isEmpty();
        b.append(String.format(
                Locale.ROOT,
                "%n\\* items and time that found it: %s; its held-out score took %d more items like"
                        + " every other row.%n%n",
                raced
                        ? "the search (every rung of every candidate, the start point on the whole"
                                + " split) and the parents' answers it was compared with"
                        : "the search (candidates x n), the extract stage"
                                + " and the final check (the best candidates by estimate on every search item)",
                r.rows().get(0).itemsEvaluated()));
        DemoResult.Row bestParent = r.rows().subList(0, 3).stream()
                .max(Comparator.comparingDouble(x -> x.heldOut().get(test)))
                .orElseThrow();
        DemoResult.Row bestUniform = r.rows().subList(3, 5).stream()
                .max(Comparator.comparingDouble(x -> x.heldOut().get(test)))
                .orElseThrow();
        b.append(String.format(
                Locale.ROOT,
                "- gain over the best parent (%s, %.1f %%): %+.1f points%n",
                bestParent.model(),
                100 * bestParent.heldOut().get(test),
                r.gainOverBestParent()));
        b.append(String.format(
                Locale.ROOT,
                "- gain over the better uniform merge (%s, %.1f %%): %+.1f points%n",
                bestUniform.model(),
                100 * bestUniform.heldOut().get(test),
                r.gainOverUniform()));
        String objective = evolved.searchScores().keySet().iterator().next();
        if (raced) {
            b.append(String.format(
                    Locale.ROOT,
                    "- the evolved merge on the whole search split: %.1f %%%s%n",
                    100 * evolved.searchScores().get(objective),
                    r.row("uniform TA 1.0/1.0").searchScores().isEmpty()
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    " (the start point, uniform TA 1.0/1.0: %.1f %%)",
                                    100
                                            * r.row("uniform TA 1.0/1.0")
                                                    .searchScores()
                                                    .get(objective))));
            b.append(
                    "\nThe evolved merge against the others, difference of accuracies in points with its paired bootstrap"
                            + " 95 % interval (items resampled with both models' answers):\n\n");
            b.append(
                    "| split | against | evolved | other | difference | 95 % interval |\n| --- | --- | ---: | ---: | ---: | --- |\n");
            for (DemoResult.Comparison k : r.comparisons()) {
                b.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %.1f %% | %.1f %% | %+.1f | [%+.1f, %+.1f] |%n",
                        k.split(),
                        k.against(),
                        100 * k.evolved(),
                        100 * k.other(),
                        k.difference(),
                        k.low(),
                        k.high()));
            }
            if (!r.estimatorChecks().isEmpty()
                    && !r.estimatorChecks().get(0).candidates().isEmpty()) {
                DemoResult.EstimatorCheck ch = r.estimatorChecks().get(0);
                b.append(String.format(
                        Locale.ROOT,
                        "%nEstimator check (no extra evaluation): the %d candidates the run scored"
                                + " on the whole search split; the estimate of the run's fidelity estimator (run.fidelity.estimator in demo.conf) from their first rung's"
                                + " items against the truth.%n%n",
                        ch.candidates().size()));
                checkTable(b, ch);
            }
            return;
        }
        b.append(String.format(
                Locale.ROOT,
                "- the evolved merge's estimated fitness on the search split: %.1f %%%n",
                100 * evolved.searchScores().get(objective)));
        if (!r.estimatorChecks().isEmpty()
                && !r.estimatorChecks().get(0).candidates().isEmpty()) {
            DemoResult.EstimatorCheck ch = r.estimatorChecks().get(0);
            b.append(String.format(
                    Locale.ROOT,
                    "%nEstimator check: the %d best candidates by estimated fitness, re-merged and"
                            + " scored on all %d items of the search split; the best of them there is the evolved merge.%n%n",
                    ch.candidates().size(),
                    ch.candidates().get(0).items()));
            checkTable(b, ch);
        }
    }

    private static void checkTable(StringBuilder b, DemoResult.EstimatorCheck ch) {
        b.append("| candidate | estimated | every item | error |\n| ---: | ---: | ---: | ---: |\n");
        for (DemoResult.Check k : ch.candidates()) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %d | %.1f %% | %.1f %% | %+.1f |%n",
                    k.id(),
                    100 * k.estimated(),
                    100 * k.full(),
                    100 * (k.estimated() - k.full())));
        }
        b.append(String.format(
                Locale.ROOT,
                "%nMean absolute error of the %s estimates: %.1f points.%n",
                ch.objective(),
                100 * ch.meanAbsoluteError()));
    }

    private static void multiTable(StringBuilder b, DemoResult r, List<String> objectives) {
        Set<String> tests = new LinkedHashSet<>();
        for (DemoResult.Row row : r.rows()) {
            tests.addAll(row.heldOut().keySet());
        }
        List<String> cols = new ArrayList<>();
        for (String o : objectives) {
            cols.add(o + " (search)");
        }
        for (String t : tests) {
            cols.add(t + " (held-out)");
        }
        b.append("| model | members | ").append(String.join(" | ", cols)).append(" |\n| --- | --- |");
        b.append(" ---: |".repeat(cols.size())).append('\n');
        // the Pareto set often has several members at one point (equal estimates): one line per point
        List<List<DemoResult.Row>> lines = new ArrayList<>();
        for (DemoResult.Row row : r.rows()) {
            List<DemoResult.Row> last = lines.isEmpty() ? null : lines.get(lines.size() - 1);
            if (row.candidateId() >= 0
                    && last != null
                    && last.get(0).candidateId() >= 0
                    && last.get(0).searchScores().equals(row.searchScores())) {
                last.add(row);
            } else {
                lines.add(new ArrayList<>(List.of(row)));
            }
        }
        for (List<DemoResult.Row> line : lines) {
            // the member that was scored (held-out) stands for the point
            DemoResult.Row row = line.stream()
                    .filter(x -> !x.heldOut().isEmpty())
                    .findFirst()
                    .orElse(line.get(0));
            b.append("| ")
                    .append(row.model())
                    .append(row.candidateId() >= 0 ? " (candidate " + row.candidateId() + ")" : "");
            b.append(" | ").append(row.candidateId() < 0 ? "-" : members(line));
            for (String o : objectives) {
                b.append(" | ").append(pct(row.searchScores(), o));
            }
            for (String t : tests) {
                b.append(" | ").append(pct(row.heldOut(), t));
            }
            b.append(" |\n");
        }
        b.append(
                        "\nParents' search scores are their accuracy on every item of the search split (extract stage); the Pareto"
                                + " set's are the run's estimates from n items, one line per point of the front with the members (pareto/K)"
                                + " that share it. Held-out scores use every test item, for one member per point ('-': at most a few points,"
                                + " spread along the front). Plot: ")
                .append(Demo.PLOT)
                .append(".\n");
        for (DemoResult.EstimatorCheck ch : r.estimatorChecks()) {
            if (ch.candidates().isEmpty()) {
                continue;
            }
            b.append(String.format(
                    Locale.ROOT,
                    "%nEstimator check, %s: distinct points of the front scored on all %d items of"
                            + " its search split.%n%n",
                    ch.objective(),
                    ch.candidates().get(0).items()));
            checkTable(b, ch);
        }
    }

    /** {@code 3: 0, 4, 7}, the first few of many followed by their count. */
    private static String members(List<DemoResult.Row> line) {
        List<String> ks = line.stream()
                .map(x -> x.model().substring(x.model().lastIndexOf(' ') + 1))
                .toList();
        String shown = String.join(", ", ks.subList(0, Math.min(6, ks.size())));
        return ks.size() + ": " + shown + (ks.size() > 6 ? ", ..." : "");
    }

    private static String pct(Map<String, Double> m, String key) {
        Double v = m.get(key);
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }
}
