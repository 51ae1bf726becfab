package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optional: the peer suite ({@link PeerSuite}) through real mergekit as well, tensor by tensor against Chimera's
 * output. Runs only when CHIMERA_MERGEKIT names a mergekit-yaml executable (see {@link MergekitOracleTest}). Each
 * case's outcome is appended to target/peer-suite-mergekit.md, the table docs/benchmarks.md records.
 */
class PeerSuiteMergekitTest {
    @TempDir
    static Path dir;

    static String mergekit;

    /**
     * Cases mergekit a6e4028 refuses, with the message it gives: its qwen3_moe definition requires the (fused)
     * experts in every layer, so a model with dense layers (mlp_only_layers) cannot be merged.
     */
    static final Map<String, String> KNOWN_REFUSALS = Map.of(
            "qwen3_moe_linear_dense_layer", "Tensor model.layers.1.mlp.experts.gate_up_proj required but not present");

    static Path report = Path.of("target", "peer-suite-mergekit.md");

    @BeforeAll
    static void models() throws IOException {
        mergekit = MergekitRun.executable();
        PeerSuite.writeModels(dir);
        Files.createDirectories(report.getParent());
        Files.writeString(
                report,
                "| config | tensors | max difference / max(1, abs value) | outcome |\n| --- | --- | --- | --- |\n");
    }

    static Stream<PeerSuite.Case> cases() {
        return PeerSuite.cases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameTensorsAsMergekit(PeerSuite.Case c) throws Exception {
        Path cfg = MergeCliTestSupport.config(dir, c.name(), c.yaml());
        Path ours = dir.resolve("chimera-" + c.name());
        Path theirs = dir.resolve("mergekit-" + c.name());
        MergekitRun run = MergekitRun.both(mergekit, cfg, dir, c.name());
        if (run.exit() != 0) {
            String err = run.log();
            String last = err.strip().lines().reduce((a, b) -> b).orElse("");
            String known = KNOWN_REFUSALS.get(c.name());
            if (known != null && err.contains(known)) {
                row(c.name(), "-", "-", "mergekit refuses: " + last.replace("|", "/"));
                return;
            }
            row(c.name(), "-", "-", "mergekit fails: " + last.replace("|", "/"));
            throw new AssertionError("mergekit failed on " + c.name() + ": " + err);
        }
        Map<String, double[]> a = TinyLlama.read(ours);
        Map<String, double[]> b = TinyLlama.read(theirs);
        String layout = "";
        if (a.keySet().stream().anyMatch(n -> n.contains("block_sparse_moe."))
                && b.keySet().stream().anyMatch(n -> n.contains("mlp.experts.gate_up_proj"))) {
            // mergekit writes Mixtral's experts in transformers 5's fused layout; Chimera keeps the input's
            a = fusedMixtral(a);
            layout = " (after fusing Chimera's per-expert tensors as transformers 5 does)";
        }
        if (!a.keySet().equals(b.keySet())) {
            var onlyOurs = new TreeSet<>(a.keySet());
            onlyOurs.removeAll(b.keySet());
            var onlyTheirs = new TreeSet<>(b.keySet());
            onlyTheirs.removeAll(a.keySet());
            row(
                    c.name(),
                    a.size() + " / " + b.size(),
                    "-",
                    "names differ: only Chimera " + sample(onlyOurs) + "; only mergekit " + sample(onlyTheirs));
            assertEquals(b.keySet(), a.keySet(), "tensor names");
        }
        // relative to max(1, |value|), as the CI test: half-precision configs differ by mergekit's rounding of every
        // operation in that dtype, so they are held to a few of its ulps (4x the case's tolerance) instead of 2e-5
        double bound = Math.max(2e-5, 4 * c.tolerance());
        double max = 0;
        long entries = 0;
        long beyond = 0;
        for (String k : b.keySet()) {
            double[] x = a.get(k);
            double[] y = b.get(k);
            assertEquals(y.length, x.length, k);
            for (int i = 0; i < y.length; i++) {
                double d = Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i]));
                max = Math.max(max, d);
                entries++;
                beyond += d > bound ? 1 : 0;
            }
        }
        // a selecting method on half-precision values may also pick a different entry at its threshold (mergekit
        // selects among rounded values): allowed for at most 2 % of entries, as MergekitDtypeAgreementTest
        boolean selecting = MergekitDtypeAgreementTest.SELECTING.contains(method(c.yaml()));
        String outcome = max <= 2e-5
                ? "agree"
                : beyond == 0
                        ? "agree to the dtype's rounding"
                        : selecting && beyond <= entries / 50
                                ? "agree to the dtype's rounding except " + beyond + " of " + entries
                                        + " entries selected differently"
                                : "values differ";
        row(c.name(), Integer.toString(b.size()), "%.1e".formatted(max), outcome + layout);
        assertTrue(
                !outcome.equals("values differ"),
                c.name() + ": max relative difference " + max + ", " + beyond + " entries beyond " + bound);
    }

    private static String method(String yaml) {
        return yaml.lines()
                .filter(l -> l.startsWith("merge_method:"))
                .map(l -> l.substring("merge_method:".length()).strip())
                .findFirst()
                .orElseThrow();
    }

    /**
     * Mixtral's per-expert tensors in transformers 5's layout: the router at mlp.gate, gate_up_proj = per expert
     * [w1; w3] (gate rows, then up rows), down_proj = per expert w2, experts stacked.
     */
    static Map<String, double[]> fusedMixtral(Map<String, double[]> perExpert) {
        Map<String, double[]> out = new LinkedHashMap<>();
        Map<String, List<double[]>> gateUp = new LinkedHashMap<>();
        Map<String, List<double[]>> down = new LinkedHashMap<>();
        for (var e : perExpert.entrySet()) {
            String n = e.getKey();
            int at = n.indexOf("block_sparse_moe.");
            if (at < 0) {
                out.put(n, e.getValue());
                continue;
            }
            String layer = n.substring(0, at);
            String rest = n.substring(at + "block_sparse_moe.".length());
            if (rest.equals("gate.weight")) {
                out.put(layer + "mlp.gate.weight", e.getValue());
            } else if (rest.endsWith(".w1.weight")) {
                int expert = Integer.parseInt(rest.split("\\.")[1]);
                double[] w3 = perExpert.get(n.replace(".w1.weight", ".w3.weight"));
                double[] both = new double[e.getValue().length + w3.length];
                System.arraycopy(e.getValue(), 0, both, 0, e.getValue().length);
                System.arraycopy(w3, 0, both, e.getValue().length, w3.length);
                gateUp.computeIfAbsent(layer + "mlp.experts.gate_up_proj", k -> new ArrayList<>())
                        .add(expert, both);
            } else if (rest.endsWith(".w2.weight")) {
                int expert = Integer.parseInt(rest.split("\\.")[1]);
                down.computeIfAbsent(layer + "mlp.experts.down_proj", k -> new ArrayList<>())
                        .add(expert, e.getValue());
            }
        }
        gateUp.forEach((k, v) -> out.put(k, concat(v)));
        down.forEach((k, v) -> out.put(k, concat(v)));
        return out;
    }

    private static double[] concat(List<double[]> parts) {
        double[] out = new double[parts.stream().mapToInt(x -> x.length).sum()];
        int at = 0;
        for (double[] x : parts) {
            System.arraycopy(x, 0, out, at, x.length);
            at += x.length;
        }
        return out;
    }

    private static String sample(TreeSet<String> names) {
        return names.isEmpty() ? "none" : names.size() + " (" + names.first() + ", ...)";
    }

    private static void row(String name, String tensors, String diff, String outcome) throws IOException {
        Files.writeString(
                report,
                "| " + name + " | " + tensors + " | " + diff + " | " + outcome + " |\n",
                StandardOpenOption.APPEND);
    }
}
