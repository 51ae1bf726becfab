package dev.chimera.tensor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Assignment of tensors to output shards, decided before any byte is written.
 *
 * <p>Same rule as mergekit's {@code TensorWriter.save_tensor}: tensors go in the given order, and a
 * new shard starts when the current one is non-empty, the limit is positive and adding the tensor
 * would take the current shard's tensor bytes above the limit. Headers are not counted. A tensor
 * larger than the limit gets a shard of its own. Names follow mergekit's finalisation: one shard is
 * {@code model.safetensors}; several are {@code model-00001-of-00003.safetensors} and so on.
 */
final class ShardPlan {
    /** One output file and the tensors it holds, in order. */
    record Shard(String fileName, List<TensorSpec> tensors, long dataBytes) {}

    private ShardPlan() {}

    static List<Shard> plan(List<TensorSpec> specs, long maxShardBytes) {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("no tensors to write");
        }
        Set<String> names = new HashSet<>();
        List<List<TensorSpec>> groups = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        List<TensorSpec> current = new ArrayList<>();
        long currentBytes = 0;
        for (TensorSpec spec : specs) {
            if (spec.name().equals("__metadata__")) {
                throw new IllegalArgumentException("__metadata__ is reserved and cannot name a tensor");
            }
            if (!names.add(spec.name())) {
                throw new IllegalArgumentException("tensor " + spec.name() + " is listed twice");
            }
            long bytes = spec.byteSize();
            if (!current.isEmpty() && maxShardBytes > 0 && currentBytes + bytes > maxShardBytes) {
                groups.add(current);
                sizes.add(currentBytes);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(spec);
            currentBytes = Math.addExact(currentBytes, bytes);
        }
        groups.add(current);
        sizes.add(currentBytes);

        List<Shard> shards = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            shards.add(new Shard(fileName(i, groups.size()), List.copyOf(groups.get(i)), sizes.get(i)));
        }
        return shards;
    }

    static String fileName(int index, int count) {
        return count == 1
                ? SafetensorsModel.SINGLE_FILE
                : String.format("model-%05d-of-%05d.safetensors", index + 1, count);
    }
}
