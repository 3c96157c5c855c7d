package dev.loupe.core.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * Rough throughput and allocation of each fast dot, by hand only (not a test, never run by the
 * build): java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * dev.loupe.core.tensor.CodecBench [types...]
 */
public final class CodecBench {
    private CodecBench() {}

    public static void main(String[] args) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        GgmlType[] types = args.length == 0 ? CodecPropertyTest.TYPES
                : java.util.Arrays.stream(args).map(GgmlType::valueOf).toArray(GgmlType[]::new);
        int cols = 4096;
        int rows = 512;
        Random r = new Random(1);
        float[] x = CodecPropertyTest.randomX(cols, r);
        for (GgmlType type : types) {
            Codec codec = Codecs.of(type, "bench");
            long rowBytes = type.rowBytes(cols);
            // Off-heap like a mapped file: C2 does not intrinsify wide loads from byte[]-backed segments.
            MemorySegment m = Arena.ofAuto().allocate(rows * rowBytes, 64)
                    .copyFrom(RandomBlocks.of(type, (int) (rows * rowBytes / type.typeSize), 0, r));
            float sink = 0;
            for (int rep = 0; rep < 30; rep++) {
                for (int row = 0; row < rows; row++) sink += codec.dot(m, row * rowBytes, x, 0, cols);
            }
            long alloc0 = mx.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            int reps = 40;
            for (int rep = 0; rep < reps; rep++) {
                for (int row = 0; row < rows; row++) sink += codec.dot(m, row * rowBytes, x, 0, cols);
            }
            long t1 = System.nanoTime();
            long alloc = mx.getCurrentThreadAllocatedBytes() - alloc0;
            double calls = (double) reps * rows;
            System.out.printf("%-5s %6.3f ns/value  %6.2f GB/s  %5.1f bytes allocated/call  (%s)%n", type,
                    (t1 - t0) / (calls * cols), calls * rowBytes / (t1 - t0), alloc / calls, sink);
        }
    }
}
