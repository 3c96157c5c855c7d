package dev.loupe.core.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine calls one codec from many threads at once. Codecs hold no mutable state, so every
 * thread must get exactly the single-threaded answer (same data, same order of operations) — and
 * since the first, sequential pass runs mostly interpreted and the threads' later passes compiled,
 * this also pins the dots' fixed-order lane reduction across JIT tiers.
 */
class CodecConcurrencyTest {
    @Test
    void concurrentDotsMatchSequentialOnes() throws Exception {
        int rows = 16;
        Random r = new Random(42);
        try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(3)) {
            for (GgmlType type : CodecPropertyTest.TYPES) {
                Codec codec = Codecs.of(type, "concurrent");
                int cols = 512;
                long rowBytes = type.rowBytes(cols);
                // Off-heap and shared, like a mapped model file.
                MemorySegment m = arena.allocate(rows * rowBytes, 64)
                        .copyFrom(RandomBlocks.of(type, (int) (rows * rowBytes / type.typeSize), 0, r));
                float[] x = CodecPropertyTest.randomX(cols, r);
                float[] want = new float[rows];
                for (int row = 0; row < rows; row++) want[row] = codec.dot(m, row * rowBytes, x, 0, cols);
                List<Future<float[]>> runs = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    runs.add(pool.submit(() -> {
                        float[] got = new float[rows];
                        for (int rep = 0; rep < 4; rep++) {
                            for (int row = 0; row < rows; row++) got[row] = codec.dot(m, row * rowBytes, x, 0, cols);
                        }
                        return got;
                    }));
                }
                for (Future<float[]> run : runs) assertThat(run.get()).as("%s", type).containsExactly(want);
            }
        }
    }
}
