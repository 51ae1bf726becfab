package dev.chimera.engine.work;

import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunSpec;

/** Picks the workload a run needs. */
public final class Workloads {
    private Workloads() {}

    public static Workload create(RunSetup setup, String device) {
        RunSpec spec = RunSpec.parse(setup.spec());
        return spec.genome().merges() ? new MergeWorkload(setup, spec, device) : new SyntheticWorkload(spec, setup);
    }
}
