package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EstimatorBenchCommandTest {
    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** 40 models x 150 items from a 1-D 2PL model. */
    static Path matrix(Path dir) throws Exception {
        Random r = new Random(3);
        double[] b = new double[150];
        for (int j = 0; j < b.length; j++) {
            b[j] = r.nextGaussian();
        }
        StringBuilder sb = new StringBuilder("model");
        for (int j = 0; j < b.length; j++) {
            sb.append(",q").append(j);
        }
        sb.append('\n');
        for (int i = 0; i < 40; i++) {
            double theta = r.nextGaussian();
            sb.append("m").append(i);
            for (double bj : b) {
                sb.append(',').append(r.nextDouble() < 1 / (1 + Math.exp(-(2 * theta - bj))) ? 1 : 0);
            }
            sb.append('\n');
        }
        Path p = dir.resolve("responses.csv");
        Files.writeString(p, sb);
        return p;
    }

    @Test
    void printsMaePerMethodAndN(@TempDir Path dir) throws Exception {
        CliRun r = run(
                "estimator-bench",
                "--responses",
                matrix(dir).toString(),
                "--n",
                "10,40",
                "--methods",
                "random/mean,anchor/gpirt",
                "--folds",
                "4",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.toString().contains("random/mean") && j.toString().contains("anchor/gpirt"), r.out());
        CliRun table = run(
                "estimator-bench",
                "--responses",
                matrix(dir).toString(),
                "--n",
                "10",
                "--methods",
                "random/mean",
                "--folds",
                "3");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("random/mean"), table.out());
    }

    @Test
    void badCsvNamesFileAndLine(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("bad.csv");
        Files.writeString(p, "model,q1,q2\nm1,1,0\nm2,1,7\n");
        CliRun r = run("estimator-bench", "--responses", p.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.csv") && r.err().contains("3"), r.err());
    }
}
