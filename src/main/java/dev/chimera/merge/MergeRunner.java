package dev.chimera.merge;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.chimera.merge.cpu.CpuKernels;
import dev.chimera.merge.method.MergeException;
import dev.chimera.merge.method.MergeInput;
import dev.chimera.merge.method.MergeMethod;
import dev.chimera.merge.method.MergeMethods;
import dev.chimera.merge.method.TensorRandom;
import dev.chimera.tensor.ComputeDevice;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.HostTensors;
import dev.chimera.tensor.OutputFolder;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import dev.chimera.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Executes a merge to disk, tensor by tensor: each task loads its inputs, merges them on the device, encodes the
 * result and writes it at its precomputed offset, so tasks run in parallel and peak memory is bounded by
 * threads x (inputs + intermediates) x the largest tensor, independent of model size. Output goes to a temporary
 * folder renamed into place at the end: a failed or interrupted merge leaves no output folder.
 */
public final class MergeRunner {
    /** Options of a merge run. */
    public record Options(String device, long seed, long shardBytes, int threads, boolean force, boolean cpuKernels) {
        public Options(String device, long seed, long shardBytes, int threads, boolean force) {
            this(device, seed, shardBytes, threads, force, true);
        }

        public static Options defaults() {
            return new Options("cpu", 0, ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES, 2, false);
        }

        public Options withCpuKernels(boolean on) {
            return new Options(device, seed, shardBytes, threads, force, on);
        }
    }

    /** Progress callbacks; called from worker threads. */
    public interface Listener {
        default void started(MergePlan plan) {}

        default void tensorDone(TensorMerge tensor, long bytesRead, long bytesWritten) {}
    }

    /** What a finished merge did. */
    public record Result(MergePlan plan, Path output, long bytesRead, long bytesWritten, double seconds) {}

    private MergeRunner() {}

    public static Result run(MergeConfig config, Path configDir, Path outDir, Options options, Listener listener) {
        long t0 = System.nanoTime();
        try (ModelFolders models = ModelFolders.open(config.referencedModels(), configDir)) {
            MergePlan plan = MergePlanner.plan(config, models::source);
            listener.started(plan);
            try (OutputFolder folder = OutputFolder.begin(outDir, options.force())) {
                List<TensorSpec> specs = plan.tensors().stream()
                        .map(t -> new TensorSpec(t.output(), t.outDtype(), t.outShape()))
                        .toList();
                long[] io;
                try (ShardedSafetensorsWriter writer =
                        new ShardedSafetensorsWriter(folder.tempDir(), specs, options.shardBytes())) {
                    io = execute(plan, models, options, writer::write, listener);
                    writer.finish();
                }
                OutputFiles.write(config, plan, models, folder.tempDir());
                folder.commit();
                return new Result(plan, outDir, io[0], io[1], (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    /**
     * Merges every tensor of a config into {@code sink} (name, encoded bytes) instead of files: the in-memory path
     * (benchmarks measure the merge itself with it). The buffers handed to the sink are valid only during the call.
     */
    public static Result runToSink(
            MergeConfig config, Path configDir, Options options, BiConsumer<String, List<ByteBuffer>> sink) {
        long t0 = System.nanoTime();
        try (ModelFolders models = ModelFolders.open(config.referencedModels(), configDir)) {
            MergePlan plan = MergePlanner.plan(config, models::source);
            long[] io = execute(plan, models, options, sink, new Listener() {});
            return new Result(plan, null, io[0], io[1], (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * The in-memory path of a long-lived merger: source folders opened once by the caller and reused for every
     * candidate; the sink also gets the tensor's plan entry (output dtype and shape). Buffers are valid only during
     * the call; the sink is called from several threads.
     */
    public static Result runToSink(
            MergeConfig config, ModelFolders models, Options options, BiConsumer<TensorMerge, List<ByteBuffer>> sink) {
        long t0 = System.nanoTime();
        MergePlan plan = MergePlanner.plan(config, models::source);
        Map<String, TensorMerge> byName = new HashMap<>();
        for (TensorMerge t : plan.tensors()) {
            byName.put(t.output(), t);
        }
        long[] io =
                execute(plan, models, options, (name, bufs) -> sink.accept(byName.get(name), bufs), new Listener() {});
        return new Result(plan, null, io[0], io[1], (System.nanoTime() - t0) / 1e9);
    }

    /** Merges the plan's tensors in parallel into the sink; returns {bytes read, bytes produced}. */
    private static long[] execute(
            MergePlan plan,
            ModelFolders models,
            Options options,
            BiConsumer<String, List<ByteBuffer>> sink,
            Listener listener) {
        Device device = ComputeDevice.available(options.device());
        AtomicLong read = new AtomicLong();
        AtomicLong written = new AtomicLong();
        try (NDManager root = NDManager.newBaseManager(device, "PyTorch")) {
            MergeMethod method = MergeMethods.get(plan.method());
            HostTensors host = new HostTensors();
            boolean kernels = options.cpuKernels() && !device.isGpu();
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.threads()), r -> {
                Thread th = new Thread(r, "chimera-merge");
                th.setDaemon(true);
                return th;
            });
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (TensorMerge tm : plan.tensors()) {
                    futures.add(pool.submit(() -> {
                        long[] io = mergeOne(tm, method, models, host, root, sink, options.seed(), kernels);
                        read.addAndGet(io[0]);
                        written.addAndGet(io[1]);
                        listener.tensorDone(tm, io[0], io[1]);
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    await(f);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return new long[] {read.get(), written.get()};
    }

    /** Merges one tensor and writes it; returns {bytes read, bytes written}. */
    static long[] mergeOne(
            TensorMerge tm,
            MergeMethod method,
            ModelFolders models,
            HostTensors host,
            NDManager root,
            BiConsumer<String, List<ByteBuffer>> writer,
            long seed,
            boolean kernels) {
        long read = 0;
        if (tm.copy()) {
            TensorMerge.Source s = tm.sources().get(tm.baseIndex() >= 0 ? tm.baseIndex() : 0);
            List<ByteBuffer> chunks = models.folder(s.model()).chunks(s.tensor());
            long n = chunks.stream().mapToLong(ByteBuffer::remaining).sum();
            writer.accept(tm.output(), chunks);
            return new long[] {n, n};
        }
        CpuKernels.Tensor kt = new CpuKernels.Tensor(
                tm.output(), tm.baseIndex(), tm.global(), tm.perInput(), tm.outDtype(), tm.outShape());
        if (kernels
                && tm.rowSources() == null
                && CpuKernels.supports(
                        method.name(),
                        kt,
                        tm.sources().stream()
                                .map(s -> models.folder(s.model())
                                        .info(s.tensor())
                                        .shape())
                                .toList())) {
            List<List<ByteBuffer>> chunks = new ArrayList<>();
            List<DType> dtypes = new ArrayList<>();
            for (TensorMerge.Source s : tm.sources()) {
                var folder = models.folder(s.model());
                dtypes.add(folder.info(s.tensor()).dtype());
                chunks.add(folder.chunks(s.tensor()));
                read += folder.info(s.tensor()).byteSize();
            }
            List<ByteBuffer> out = CpuKernels.merge(method.name(), kt, chunks, dtypes, seed);
            long n = out.stream().mapToLong(ByteBuffer::remaining).sum();
            writer.accept(tm.output(), out);
            return new long[] {read, n};
        }
        try (NDManager scope = root.newSubManager()) {
            List<NDArray> inputs = new ArrayList<>();
            for (TensorMerge.Source s : tm.sources()) {
                var folder = models.folder(s.model());
                var info = folder.info(s.tensor());
                List<ByteBuffer> chunks = folder.chunks(s.tensor());
                read += info.byteSize();
                inputs.add(host.toFloat32(scope, chunks, info.dtype(), info.shape()));
            }
            if (tm.rowSources() != null) {
                inputs = EmbeddingRows.permute(inputs, tm.rowSources(), tm.baseIndex(), tm.rowOverrides());
            }
            MergeInput in = new MergeInput(
                    tm.output(),
                    tm.embed(),
                    inputs,
                    tm.models(),
                    tm.baseIndex(),
                    tm.global(),
                    tm.perInput(),
                    new TensorRandom(seed, tm.output()),
                    scope);
            NDArray result = method.merge(in);
            long expect = 1;
            for (long d : tm.outShape()) {
                expect *= d;
            }
            if (result.size() != expect) {
                throw new MergeException("merge of " + tm.output() + " produced shape " + result.getShape()
                        + ", expected " + Arrays.toString(tm.outShape()));
            }
            List<ByteBuffer> out = host.encode(result, tm.outDtype());
            long n = out.stream().mapToLong(ByteBuffer::remaining).sum();
            writer.accept(tm.output(), out);
            return new long[] {read, n};
        }
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MergeException("merge interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new MergeException(c.toString(), c);
        }
    }
}
