package dev.loupe.core.tensor.act;

import dev.loupe.core.tensor.Codec;
import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.GgmlType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

/**
 * Not a test: a single-threaded matrix-vector micro-benchmark of the float-activation codec dot against the
 * quantized-activation dot, over a random weight matrix larger than the last-level cache (as decode sees it).
 * Run: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.loupe.core.tensor.act.DotBench [rows cols]
 */
public final class DotBench {
    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 8192;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        GgmlType[] types = {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.F16};
        Random r = new Random(1);
        float[] x = ActivationDotTest.randomActivations(cols, r);
        float[] out = new float[rows];
        for (GgmlType t : types) {
            long rowBytes = t.rowBytes(cols);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment w = arena.allocate(rowBytes * rows, 64);
                MemorySegment blocks = t.isQuantized() ? ActivationDotTest.randomBlocks(t, (int) (rows * rowBytes / t.typeSize), 0, r)
                        : f16(rows * cols, r);
                w.copyFrom(blocks.asSlice(0, rowBytes * rows));
                Codec codec = Codecs.of(t, "bench");
                ActivationDot dot = ActivationDots.of(t);
                QuantizedVector a = new QuantizedVector();
                GgmlType vdt = ActivationDots.vecDotType(t);
                double[] oldMs = new double[15], newMs = new double[15];
                for (int it = 0; it < 15; it++) {
                    long t0 = System.nanoTime();
                    for (int row = 0; row < rows; row++) out[row] = codec.dot(w, row * rowBytes, x, 0, cols);
                    long t1 = System.nanoTime();
                    a.quantize(x, cols, vdt);
                    for (int row = 0; row < rows; row++) out[row] = dot.dot(w, row * rowBytes, a, 0, cols);
                    long t2 = System.nanoTime();
                    oldMs[it] = (t1 - t0) / 1e6;
                    newMs[it] = (t2 - t1) / 1e6;
                }
                double o = median(Arrays.copyOfRange(oldMs, 5, 15)), nn = median(Arrays.copyOfRange(newMs, 5, 15));
                System.out.printf("%-5s %5dx%d %6.1f MB  float-activation %7.2f ms (%5.2f GB/s)   %s-activation %7.2f ms (%5.2f GB/s)   speedup %.2fx%n",
                        t, rows, cols, rowBytes * rows / 1e6, o, rowBytes * rows / o / 1e6, vdt, nn, rowBytes * rows / nn / 1e6, o / nn);
            }
        }
    }

    private static MemorySegment f16(long n, Random r) {
        short[] h = new short[(int) n];
        for (int i = 0; i < n; i++) h[i] = Float.floatToFloat16((float) r.nextGaussian() * 0.05f);
        return MemorySegment.ofArray(h);
    }

    private static double median(double[] v) {
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
