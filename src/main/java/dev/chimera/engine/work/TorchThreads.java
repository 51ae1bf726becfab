package dev.chimera.engine.work;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's intra-op threads. With libtorch's OpenMP backend the count is kept per calling thread (a new thread takes
 * the last value set anywhere, a thread that already ran an op keeps its own), so a workload sets it on the thread
 * that runs each merge and evaluation: the engine's blocking dispatcher hands them to any of its threads.
 */
public final class TorchThreads {
    private TorchThreads() {}

    /** Sets the intra-op threads to {@code n} (>= 1) when they differ. */
    public static synchronized void use(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("torch threads must be >= 1, got " + n);
        }
        Engine.getEngine("PyTorch");
        if (JniUtils.getNumThreads() != n) {
            JniUtils.setNumThreads(n);
        }
    }

    public static int current() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }
}
