package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupts valid files at random (seeded) and reads them back: the only acceptable outcomes are a
 * successful read or a {@link SafetensorsException}, never another exception, hang or OOM.
 */
class SafetensorsFuzzTest {
    private static final long SEED = 0xC41DE7AL;
    private static final int CASES = 4000;
    /** On a loaded machine, stop early (after at least MIN_CASES) rather than fail on time. */
    private static final int MIN_CASES = 1000;

    private static final long BUDGET_NANOS = 12_000_000_000L;

    @TempDir
    Path dir;

    private static List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        out.add(SafetensorsTestFiles.builder()
                .metadata("format", "pt")
                .addF32("model.embed_tokens.weight", new long[] {4, 3}, SafetensorsTestFiles.ramp(12, 1, 0))
                .addFloats("model.norm.weight", DType.BF16, new long[] {3}, 1, 2, 3)
                .toBytes());
        SafetensorsTestFiles.Builder all = SafetensorsTestFiles.builder();
        for (DType d : DType.values()) {
            all.add(
                    d.name().toLowerCase(),
                    d,
                    new long[] {2, 2},
                    SafetensorsTestFiles.bytes(4 * d.size(), d.ordinal()));
        }
        out.add(all.toBytes());
        out.add(SafetensorsTestFiles.builder()
                .add("empty", DType.F16, new long[] {0, 7}, new byte[0])
                .addF32("scalar", new long[] {}, 3f)
                .add("row", DType.I64, new long[] {1, 1, 5}, SafetensorsTestFiles.bytes(40, 9))
                .toBytes());
        out.add(SafetensorsTestFiles.builder().metadata("a", "b").toBytes());
        return out;
    }

    @Test
    void corruptedFilesFailOnlyWithSafetensorsException() {
        List<byte[]> seeds = seeds();
        Random random = new Random(SEED);
        Path file = dir.resolve("fuzz.safetensors");
        int[] outcomes = new int[2]; // accepted, rejected
        long start = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < CASES; i++) {
                if (i >= MIN_CASES && System.nanoTime() - start > BUDGET_NANOS) {
                    break;
                }
                byte[] seed = seeds.get(random.nextInt(seeds.size()));
                int kind = random.nextInt(6);
                byte[] mutated = mutate(seed, kind, random);
                Files.write(file, mutated);
                long chunk = 8 + random.nextInt(40);
                // now and then map in tiny regions so chunks straddle them (the >2 GiB code path)
                long region = random.nextInt(16) == 0 ? 16 + random.nextInt(112) : 1 << 16;
                try (SafetensorsFile sf = SafetensorsFile.open(file, chunk, region)) {
                    for (String name : sf.tensors().keySet()) {
                        long sum = 0;
                        for (ByteBuffer c : sf.chunks(name)) {
                            assertTrue(c.remaining() <= chunk);
                            sum += c.remaining();
                            while (c.hasRemaining()) {
                                c.get(); // touch every byte
                            }
                        }
                        assertEquals(sf.info(name).byteSize(), sum);
                    }
                    outcomes[0]++;
                } catch (SafetensorsException expected) {
                    outcomes[1]++;
                } catch (Throwable t) {
                    fail(
                            "case " + i + " (seed " + SEED + ", mutation " + kind + ") threw " + t + " for bytes "
                                    + Arrays.toString(mutated),
                            t);
                }
            }
        });
        // Both outcomes must occur, or the mutations are not exercising the validator.
        int cases = outcomes[0] + outcomes[1];
        assertTrue(outcomes[0] > cases / 50, "accepted " + outcomes[0] + " of " + cases);
        assertTrue(outcomes[1] > cases / 2, "rejected " + outcomes[1] + " of " + cases);
    }

    private static byte[] mutate(byte[] seed, int kind, Random r) {
        byte[] b = seed.clone();
        int headerEnd = (int) Math.min(
                b.length, 8 + ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        switch (kind) {
            case 0: // flip a few random bits anywhere
                for (int n = 1 + r.nextInt(4); n > 0; n--) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            case 1: // replace header bytes with random or JSON-ish characters
                for (int n = 1 + r.nextInt(3); n > 0; n--) {
                    int at = 8 + r.nextInt(Math.max(1, headerEnd - 8));
                    if (at < b.length) {
                        b[at] = (byte) "0123456789-[]{},:\" e.x\\\u00ff".charAt(r.nextInt(24));
                    }
                }
                return b;
            case 2: // truncate
                return Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 3: { // rewrite the header length
                long[] choices = {
                    0,
                    1,
                    7,
                    8,
                    headerEnd - 9,
                    headerEnd - 7,
                    b.length,
                    b.length - 8L,
                    100_000_000L,
                    100_000_001L,
                    Long.MAX_VALUE,
                    -1L,
                    r.nextLong(),
                    r.nextInt(1 << 20)
                };
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, choices[r.nextInt(choices.length)]);
                return b;
            }
            case 4: { // change a digit in the header (offsets, shapes)
                List<Integer> digits = new ArrayList<>();
                for (int i = 8; i < headerEnd; i++) {
                    if (b[i] >= '0' && b[i] <= '9') {
                        digits.add(i);
                    }
                }
                if (!digits.isEmpty()) {
                    b[digits.get(r.nextInt(digits.size()))] = (byte) ('0' + r.nextInt(10));
                }
                return b;
            }
            default: { // append or drop bytes at the end of the data
                if (r.nextBoolean()) {
                    return Arrays.copyOf(b, b.length + 1 + r.nextInt(16));
                }
                return Arrays.copyOf(b, Math.max(0, b.length - 1 - r.nextInt(8)));
            }
        }
    }
}
