package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import dev.chimera.merge.method.MergeException;
import dev.chimera.merge.method.MergeMethods;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/extending.md's plugin jar in a cluster: a merge method compiled here into a jar of its own (with its
 * META-INF/services entry), put on the class path of two node JVMs (a node and a node joining it), and named by a
 * run submitted from this JVM, which does not have it: every candidate is merged by the plugin on either node.
 */
class PluginClusterTest {
    static final String SOURCE = """
            package plugin.example;

            import ai.djl.ndarray.NDArray;
            import dev.chimera.merge.method.MergeInput;
            import dev.chimera.merge.method.MergeMethod;
            import dev.chimera.merge.method.ParamDef;
            import java.util.List;

            /** A weighted mean of the inputs, under a name of its own. */
            public final class PluginWeightedMean implements MergeMethod {
                @Override
                public String name() {
                    return "plugin_weighted_mean";
                }

                @Override
                public List<ParamDef> tensorParams() {
                    return List.of(ParamDef.required("weight"));
                }

                @Override
                public NDArray merge(MergeInput in) {
                    NDArray sum = null;
                    double total = 0;
                    for (int i = 0; i < in.size(); i++) {
                        double w = in.perInput().get(i).number("weight");
                        NDArray term = in.tensors().get(i).mul((float) w);
                        sum = sum == null ? term : sum.add(term);
                        total += w;
                    }
                    return sum.div((float) total);
                }
            }
            """;

    /** Compiles the plugin against Chimera's classes and jars it with its service entry. */
    static Path pluginJar(Path dir, String classPath) throws Exception {
        Path src = dir.resolve("src/plugin/example/PluginWeightedMean.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(
                null, null, null, "-cp", classPath, "-d", classes.toString(), "--release", "17", src.toString());
        assertEquals(0, rc, "the plugin compiles");
        Path jar = dir.resolve("plugin.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(
                            new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                    out.write(Files.readAllBytes(f));
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/dev.chimera.merge.method.MergeMethod"));
            out.write("plugin.example.PluginWeightedMean\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Process node(Path log, String classPath, String... args) throws Exception {
        return SeparateProcessesTest.java(log, classPath, List.of("-Dchimera.control.token=t0k"), args);
    }

    @Test
    void aPluginJarOnEveryNodeMergesARunSubmittedFromAJvmWithoutIt(@TempDir Path tmp) throws Exception {
        // Chimera and its dependencies, without the test classes: the plugin is the only extension
        String chimera = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        Path jar = pluginJar(tmp.resolve("plugin"), chimera);
        String withPlugin = chimera + File.pathSeparator + jar;
        assertThrows(MergeException.class, () -> MergeMethods.get("plugin_weighted_mean"));

        MergeRunTest.zoo(tmp);
        Path run = tmp.resolve("plugin.conf");
        Files.writeString(run, """
                run {
                  name = plugin
                  output = out-plugin
                  seed = 3
                  models { a = a, b = b }
                  genome {
                    method = plugin_weighted_mean
                    models = [a, b]
                    params = [ { name = weight, min = 0.1, max = 1 } ]
                  }
                  algorithm { name = random, settings { population = 4 } }
                  objectives = [ { name = colours, task = task.yml } ]
                  budget { evaluations = 8 }
                }
                """);
        int clusterPort = freePort();
        int controlPort = freePort();
        List<Process> nodes = new ArrayList<>();
        try {
            nodes.add(node(
                    tmp.resolve("node1.log"),
                    withPlugin,
                    "node",
                    "--port",
                    Integer.toString(clusterPort),
                    "--control-port",
                    Integer.toString(controlPort),
                    "--devices",
                    "cpu"));
            nodes.add(node(
                    tmp.resolve("node2.log"),
                    withPlugin,
                    "join",
                    "--join",
                    "127.0.0.1:" + clusterPort,
                    "--port",
                    "0",
                    "--control-port",
                    "-1",
                    "--devices",
                    "cpu"));
            String control = "127.0.0.1:" + controlPort;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            CliRun cluster = null;
            while (System.nanoTime() < end) {
                cluster = CliRun.of("cluster", "--node", control, "--token", "t0k");
                if (cluster.code() == 0 && cluster.out().split("\\bup\\b", -1).length - 1 >= 2) {
                    break;
                }
                Thread.sleep(500);
            }
            assertTrue(
                    cluster != null && cluster.out().split("\\bup\\b", -1).length - 1 >= 2,
                    "two nodes up: " + (cluster == null ? "" : cluster.out() + cluster.err()) + "\n"
                            + Files.readString(tmp.resolve("node1.log")) + Files.readString(tmp.resolve("node2.log")));
            CliRun r = CliRun.of("run", run.toString(), "--node", control, "--token", "t0k");
            assertEquals(
                    0,
                    r.code(),
                    r.out() + r.err() + "\n" + Files.readString(tmp.resolve("node1.log"))
                            + Files.readString(tmp.resolve("node2.log")));
            List<String> rows = Files.readAllLines(tmp.resolve("out-plugin/results.csv"));
            assertEquals(9, rows.size(), rows.toString());
            Set<String> nodesThatMerged = new HashSet<>();
            for (String row : rows.subList(1, rows.size())) {
                String worker = row.split(",")[1];
                nodesThatMerged.add(worker.substring(0, worker.indexOf('/')));
            }
            assertEquals(2, nodesThatMerged.size(), "both nodes merged with the plugin: " + rows);
        } finally {
            for (Process p : nodes) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
