package dev.loupe.core.tensor.act;

import dev.loupe.core.tensor.Codec;
import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.GgmlType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * Not a test: a single-threaded matrix-vector micro-benchmark of the quantized-activation dot (and, with
 * {@code float}, the float-activation codec dot it replaced), over a random weight matrix larger than the
 * last-level cache (as decode sees it), or a small one that stays in L2 (the kernel's compute bound).
 * Reports the best of several passes both in wall time and in thread CPU time: on a shared machine the
 * scheduler steals whole time slices, which CPU time does not count (cache and memory contention it does).
 * Run: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.loupe.core.tensor.act.DotBench
 *      [rows cols [TYPE,TYPE,... [float|batchN]]]   e.g. "64 4096" for the L2-resident case; batch8: dotRows
 *      of 8 inputs against dot once per input
 */
public final class DotBench {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 8192;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        String list = args.length > 2 ? args[2] : "Q8_0,Q4_0,Q4_K,Q5_K,Q6_K,F16";
        boolean withFloat = args.length > 3 && args[3].equals("float");
        int batch = args.length > 3 && args[3].startsWith("batch") ? Integer.parseInt(args[3].substring(5)) : 1;
        Random r = new Random(1);
        float[] x = ActivationDotTest.randomActivations(cols, r);
        float[] out = new float[rows];
        // Small matrices are repeated so every pass reads ~64 MB of weights either way.
        for (String name : list.split(",")) {
            GgmlType t = GgmlType.valueOf(name);
            long rowBytes = t.rowBytes(cols);
            int reps = (int) Math.max(1, 64_000_000 / (rowBytes * rows));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment w = arena.allocate(rowBytes * rows, 64);
                MemorySegment blocks = t.isQuantized() ? ActivationDotTest.randomBlocks(t, (int) (rows * rowBytes / t.typeSize), 0, r)
                        : f16(rows * cols, r);
                w.copyFrom(blocks.asSlice(0, rowBytes * rows));
                ActivationDot dot = ActivationDots.of(t);
                QuantizedVector a = new QuantizedVector();
                a.quantize(x, cols, ActivationDots.vecDotType(t));
                double[] best = measure(() -> {
                    for (int k = 0; k < reps; k++) for (int row = 0; row < rows; row++) out[row] = dot.dot(w, row * rowBytes, a, 0, cols);
                });
                double bytes = (double) rowBytes * rows * reps;
                if (batch > 1) {
                    // The same weights against `batch` inputs: dotRows (unpacked once) vs dot per input.
                    float[] xs = ActivationDotTest.randomActivations(cols * batch, r);
                    QuantizedVector ab = new QuantizedVector();
                    ab.quantize(xs, cols * batch, ActivationDots.vecDotType(t));
                    float[] outs = new float[rows * batch];
                    double[] one = measure(() -> {
                        for (int k = 0; k < reps; k++) {
                            for (int row = 0; row < rows; row++) {
                                for (int b = 0; b < batch; b++) outs[b * rows + row] = dot.dot(w, row * rowBytes, ab, b * cols, cols);
                            }
                        }
                    });
                    double[] many = measure(() -> {
                        for (int k = 0; k < reps; k++) {
                            for (int row = 0; row < rows; row++) dot.dotRows(w, row * rowBytes, ab, 0, batch, cols, outs, row, rows);
                        }
                    });
                    double perInput = (double) rows * reps * batch;
                    System.out.printf("%-5s %5dx%d batch %d: dot per input cpu %7.1f ns/row/input, dotRows cpu %7.1f ns/row/input (%.2fx)%n",
                            t, rows, cols, batch, one[1] * 1e6 / perInput, many[1] * 1e6 / perInput, one[1] / many[1]);
                    continue;
                }
                System.out.printf("%-5s %5dx%d x%-3d %6.1f MB  %s-activation  wall %7.2f ms %6.2f GB/s %7.1f ns/row   cpu %7.2f ms %6.2f GB/s%n",
                        t, rows, cols, reps, rowBytes * rows / 1e6, ActivationDots.vecDotType(t),
                        best[0], bytes / best[0] / 1e6, best[0] * 1e6 / rows / reps, best[1], bytes / best[1] / 1e6);
                if (withFloat) {
                    Codec codec = Codecs.of(t, "bench");
                    double[] f = measure(() -> {
                        for (int k = 0; k < reps; k++) for (int row = 0; row < rows; row++) out[row] = codec.dot(w, row * rowBytes, x, 0, cols);
                    });
                    System.out.printf("%-5s float-activation  wall %7.2f ms %6.2f GB/s   cpu %7.2f ms %6.2f GB/s%n",
                            t, f[0], bytes / f[0] / 1e6, f[1], bytes / f[1] / 1e6);
                }
            }
        }
    }

    /**
     * Best wall and best thread-CPU milliseconds over 15 passes, after warming up for 5 s of CPU time: on a
     * loaded machine C2 itself is starved, and a short warm-up measures C1 code.
     */
    static double[] measure(Runnable pass) {
        long warm = MX.getCurrentThreadCpuTime() + 5_000_000_000L;
        while (MX.getCurrentThreadCpuTime() < warm) pass.run();
        double wall = Double.MAX_VALUE, cpu = Double.MAX_VALUE;
        for (int it = 0; it < 15; it++) {
            long c0 = MX.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            pass.run();
            long t1 = System.nanoTime(), c1 = MX.getCurrentThreadCpuTime();
            wall = Math.min(wall, (t1 - t0) / 1e6);
            cpu = Math.min(cpu, (c1 - c0) / 1e6);
        }
        return new double[] {wall, cpu};
    }

    private static MemorySegment f16(long n, Random r) {
        short[] h = new short[(int) n];
        for (int i = 0; i < n; i++) h[i] = Float.floatToFloat16((float) r.nextGaussian() * 0.05f);
        return MemorySegment.ofArray(h);
    }
}
