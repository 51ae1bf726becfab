package dev.chimera.demo;

import static dev.chimera.demo.DemoTasks.parents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.chimera.engine.Node;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.control.RunFollower;
import dev.chimera.engine.run.ItemChoice;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunFolder;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.eval.TaskLoader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's search stage: the run on an in-process single-node cluster (pausable and resumable like any run), the
 * command that continues it, and what it cost in items.
 */
final class DemoSearch {
    private final DemoOptions o;
    private final PrintStream out;

    DemoSearch(DemoOptions o) {
        this.o = o;
        this.out = o.out();
    }

    /** Runs (or continues) the search on an in-process node; null when the journal says it already finished. */
    Protocol.Status search(RunSpec spec, Path runDir) {
        RunState before = RunState.replay(Journal.read(runDir));
        if (before.status() == RunState.Status.FINISHED) {
            out.println("  the run already finished (" + before.finishReason() + "); evaluating it again");
            return null;
        }
        boolean resume = Files.exists(runDir.resolve(Journal.FILE));
        Config cfg = o.nodeConfig() != null ? o.nodeConfig() : Node.loadConfig(null);
        if (cfg.getInt("chimera.node.torch-threads") == 0) {
            // the zoo's models are tiny: one intra-op thread is faster than two on a shared 2-core machine
            // (docs/zoo.md)
            cfg = ConfigFactory.parseMap(Map.of("chimera.node.torch-threads", 1))
                    .withFallback(cfg);
        }
        Node.Options opts =
                Node.Options.defaults().withPort(0).withDevices(o.devices() != null ? o.devices() : spec.devices());
        if (o.controlPort() != null) {
            opts = opts.withControlPort(o.controlPort());
        }
        out.println("  starting an in-process node (Pekko cluster of one, devices " + opts.devices() + ")");
        Node local = Node.startLocal(cfg, opts);
        try {
            if (!resume) {
                out.println(
                        "  extract stage: the parents on every item of each objective's task (cached after the first time)");
            }
            Protocol.SubmitReply reply;
            try {
                reply = local.submit(resume ? null : spec.text(), resume ? runDir.toString() : null)
                        .toCompletableFuture()
                        .get(30, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoException("interrupted while the run started", e);
            } catch (Exception e) {
                throw new DemoException("the run did not start: " + e.getMessage(), e);
            }
            if (!reply.ok()) {
                throw new DemoException("the run did not start: " + reply.error());
            }
            out.printf(
                    "  run %s %s on this machine (devices %s), folder %s%n",
                    reply.runId(), resume ? "resumed" : "started", local.devices(), reply.runDir());
            if (local.controlAddress() != null) {
                String node = " --node " + local.controlAddress();
                out.println("  dashboard: http://" + local.controlAddress() + "/ui/run.html?run=" + reply.runId());
                out.println("  from another terminal:");
                out.println("    chimera status " + reply.runId() + node);
                out.println("    chimera pause " + reply.runId() + node
                        + "    (candidates in flight finish, nothing new starts)");
                out.println("    chimera resume " + reply.runId() + node);
                out.println("    chimera stop " + reply.runId() + node + "     (the folder keeps everything)");
            }
            out.println(
                    "  after a stop or a crash: " + continueCommand(runDir) + "   (continues the run, then evaluates)");
            out.println("                      or: chimera resume " + runDir + "   (the run alone)");
            out.flush();
            try {
                return RunFollower.follow(() -> local.statusNow(reply.runId()), o.progress());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoException("interrupted while following run " + reply.runId(), e);
            }
        } finally {
            local.close();
        }
    }

    /** The command that continues this demo: the options that decide its run file. */
    String continueCommand(Path runDir) {
        StringBuilder b = new StringBuilder("chimera demo --out ")
                .append(runDir)
                .append(" --seed ")
                .append(o.seed());
        if (o.runSeed() != null) {
            b.append(" --run-seed ").append(o.runSeed());
        }
        if (o.template() != null) {
            b.append(" --template ").append(o.template().toAbsolutePath());
        }
        if (o.zooDir() != null) {
            b.append(" --zoo ").append(o.zooDir().toAbsolutePath());
        }
        if (o.multiObjective()) {
            b.append(" --multi-objective");
        }
        if (o.budget() != null) {
            b.append(" --budget ").append(o.budget());
        }
        if (o.n() != null) {
            b.append(" --n ").append(o.n());
        }
        return b.toString();
    }

    static List<ExtractResult> extracts(RunSpec spec, Path runDir) {
        List<ExtractResult> l = new ArrayList<>();
        for (RunSpec.ObjectiveSpec ob : spec.objectives()) {
            Path f = ItemChoice.extractFile(runDir, ob);
            l.add(Files.exists(f) ? ExtractResult.read(f) : null);
        }
        return l;
    }

    /**
     * Items the search cost: every journaled per-item result (with multi-fidelity: every rung, and the start point on
     * the whole split), plus the parents' answers (the extract stage, or the answers a multi-fidelity run compares
     * with); and what scoring every candidate on every item of each objective's split would have cost.
     */
    static DemoResult.SearchCost cost(RunSpec spec, RunState state, List<ExtractResult> extracts, Path runDir) {
        long items = state.fidelity().items();
        long candidates =
                state.evaluated().keySet().stream().filter(id -> id >= 0).count();
        long extractItems = 0;
        boolean cached = false;
        boolean any = false;
        for (ExtractResult x : extracts) {
            if (x == null) {
                continue;
            }
            any = true;
            extractItems += (long) x.models().size() * x.task().itemIds().size();
            cached |= x.models().stream().allMatch(ExtractResult.ModelInfo::cacheHit);
        }
        Map<String, Map<String, Map<String, Integer>>> parents = RunFolder.parents(runDir);
        for (Map<String, Map<String, Integer>> perModel : parents.values()) {
            for (Map<String, Integer> y : perModel.values()) {
                extractItems += y.size();
            }
        }
        long full = 0;
        for (RunSpec.ObjectiveSpec ob : spec.objectives()) {
            full += candidates
                    * TaskLoader.items(TaskLoader.load(Path.of(ob.task()))).size();
        }
        return new DemoResult.SearchCost(candidates, items, extractItems, any && cached, full);
    }
}
