package dev.chimera.engine.work;

import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunSpec;

/** Picks the workload a run needs. */
public final class Workloads {
    private Workloads() {}

    /** {@code torchThreads}: the node's libtorch intra-op threads, used unless the run sets its own. */
    public static Workload create(RunSetup setup, String device, int torchThreads) {
        RunSpec spec = RunSpec.parse(setup.spec());
        if (!spec.genome().merges()) {
            return new SyntheticWorkload(spec, setup);
        }
        return new MergeWorkload(setup, spec, device, spec.torchThreads() > 0 ? spec.torchThreads() : torchThreads);
    }
}
