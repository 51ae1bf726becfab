package dev.chimera.demo;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Runs test-side evaluations with one libtorch intra-op thread, as the demo and the zoo builder do: thread counts
 * may change libtorch's summation order, so matching the demo's setting makes both sides run the same kernels and
 * agree exactly on any CPU.
 */
final class OneThread {
    private OneThread() {}

    static <T> T call(Supplier<T> work) {
        Engine.getEngine("PyTorch");
        int threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }
}
