package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optional: how far Chimera's output is from mergekit's on half-precision inputs, per method and dtype, on
 * {@link MergekitOracleTest}'s configs. mergekit computes in the stored dtype (each operation rounded to bf16 or
 * fp16), Chimera in float32 rounded once, so they differ by a few ulps of the output dtype; TIES-family and SCE
 * selections can also flip an entry whose magnitude ties or nearly ties at the threshold. Runs when CHIMERA_MERGEKIT
 * names a mergekit-yaml executable; writes target/mergekit-dtype-agreement.md (the table in docs/benchmarks.md).
 */
class MergekitDtypeAgreementTest {
    @TempDir
    static Path dir;

    static String mergekit;
    static final Path REPORT = Path.of("target", "mergekit-dtype-agreement.md");

    /** Methods that select entries (top-k, sign election, variance, importance outliers) on values mergekit rounded. */
    static final Set<String> SELECTING = Set.of(
            "ties", "breadcrumbs", "breadcrumbs_ties", "sce", "genome_ties_groups", "dare_ties_dense", "arcee_fusion");

    /** A difference above this fraction of its tensor's largest value is a flipped selection, not rounding. */
    static final double FLIP = 1.0 / 16;

    @BeforeAll
    static void models() throws IOException {
        mergekit = MergekitRun.executable();
        for (DType d : new DType[] {DType.BF16, DType.F16}) {
            TinyLlama t = new TinyLlama();
            t.hidden = 16;
            t.intermediate = 24;
            t.dtype = d;
            Path sub = dir.resolve(d.torchName());
            t.write(sub.resolve("base"), 21);
            t.write(sub.resolve("a"), 22);
            t.write(sub.resolve("b"), 23);
            t.write(sub.resolve("c"), 24);
        }
        Files.createDirectories(REPORT.getParent());
        Files.writeString(
                REPORT,
                "| config | dtype | entries | differ | median ulps | 99th pct ulps | max diff / tensor max |"
                        + " entries > 1/16 of tensor max |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    }

    static Stream<Arguments> configs() {
        return MergekitOracleTest.configs()
                .flatMap(a -> Stream.of(DType.BF16, DType.F16).map(d -> Arguments.of(a.get()[0], d, a.get()[1])));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configs")
    void differencesStayWithinRounding(String name, DType dtype, String yaml) throws Exception {
        Path sub = dir.resolve(dtype.torchName());
        Path cfg = sub.resolve(name + ".yml");
        Files.writeString(cfg, yaml.replace("$D", sub.toString()));
        Path ours = sub.resolve("chimera-" + name);
        Path theirs = sub.resolve("mergekit-" + name);
        MergekitRun.both(mergekit, cfg, sub, name).succeeded();
        Map<String, double[]> a = TinyLlama.read(ours);
        Map<String, double[]> b = TinyLlama.read(theirs);
        assertEquals(b.keySet(), a.keySet(), "tensor names");
        long entries = 0;
        long differ = 0;
        long flipped = 0;
        double[] ulps = new double[0];
        int n = 0;
        double maxRel = 0;
        for (String k : b.keySet()) {
            double[] x = a.get(k);
            double[] y = b.get(k);
            double scale = 0;
            for (double v : y) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < y.length; i++) {
                entries++;
                double d = Math.abs(x[i] - y[i]);
                if (d == 0) {
                    continue;
                }
                differ++;
                if (n == ulps.length) {
                    ulps = Arrays.copyOf(ulps, Math.max(16, 2 * n));
                }
                // in ulps of the larger of the two values: where the result cancels to near zero, mergekit's
                // rounded intermediates still err by ulps of the inputs, so a few entries read as many ulps
                ulps[n++] = d / ulp(Math.max(Math.abs(x[i]), Math.abs(y[i])), dtype);
                double rel = d / Math.max(scale, 1e-30);
                maxRel = Math.max(maxRel, rel);
                flipped += rel > FLIP ? 1 : 0;
            }
        }
        double[] sorted = Arrays.copyOf(ulps, n);
        Arrays.sort(sorted);
        double median = n == 0 ? 0 : sorted[n / 2];
        double p99 = n == 0 ? 0 : sorted[(int) Math.min(n - 1, Math.floor(0.99 * n))];
        Files.writeString(
                REPORT,
                "| %s | %s | %d | %.1f %% | %.1f | %.1f | %.2g | %d |%n"
                        .formatted(
                                name,
                                dtype.torchName(),
                                entries,
                                100.0 * differ / entries,
                                median,
                                p99,
                                maxRel,
                                flipped),
                StandardOpenOption.APPEND);
        if (SELECTING.contains(name)) {
            // a flipped selection changes an entry by up to its whole delta, but only near the threshold
            assertTrue(
                    flipped <= entries / 50,
                    name + ": " + flipped + " of " + entries + " entries differ by > " + FLIP
                            + " of their tensor's largest value");
        } else {
            assertEquals(0, flipped, name + ": entries differ by > " + FLIP + " of their tensor's largest value");
        }
    }

    /** One unit in the last place of the dtype at |v| (bf16: 8 significant bits, fp16: 11, subnormals at 2^-24). */
    static double ulp(double v, DType dtype) {
        double f32 = Math.ulp((float) v);
        return dtype == DType.BF16 ? f32 * 65536 : Math.max(f32 * 8192, Math.pow(2, -24));
    }
}
