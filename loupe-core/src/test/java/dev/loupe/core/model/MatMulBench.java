package dev.loupe.core.model;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.core.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Not a test: {@link MatMul} over a random weight matrix larger than the last-level cache, for a batch of
 * 1 (decode: GB/s of weights) and larger batches (prefill: GFLOP-equivalents as weight-GB/s × batch), on
 * 1 and 2 threads. Best of 10 passes after a warm-up of at least 5 s, in wall time and in process CPU time
 * (on a shared machine whole time slices are stolen; CPU time does not count them, but does count the
 * pool's spinning and any JIT or GC work, so it is an upper bound on the work done).
 * Run: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.loupe.core.model.MatMulBench
 *      [rows cols TYPE,TYPE threads,threads batch,batch]
 */
public final class MatMulBench {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 8192;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        String types = args.length > 2 ? args[2] : "Q8_0,Q4_0,Q4_K,Q6_K";
        String threads = args.length > 3 ? args[3] : "1,2";
        String batches = args.length > 4 ? args[4] : "1,64";
        Random r = new Random(1);
        for (String tn : types.split(",")) {
            GgmlType t = GgmlType.valueOf(tn);
            long rowBytes = t.rowBytes(cols);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment w = arena.allocate(rowBytes * rows, 64);
                randomize(w, t, r);
                Tensor tensor = new Tensor("bench", t, new long[] {cols, rows}, w, Codecs.of(t, "bench"));
                for (String th : threads.split(",")) {
                    try (ThreadPool pool = new ThreadPool(Integer.parseInt(th))) {
                        MatMul mm = new MatMul(pool);
                        for (String bs : batches.split(",")) {
                            int batch = Integer.parseInt(bs);
                            float[] x = new float[batch * cols], out = new float[batch * rows];
                            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                            long warm = System.nanoTime() + 5_000_000_000L;
                            int passes = 0;
                            while (System.nanoTime() < warm || passes < 3) {
                                mm.apply(tensor, x, batch, out);
                                passes++;
                            }
                            double best = Double.MAX_VALUE, bestCpu = Double.MAX_VALUE;
                            for (int it = 0; it < 10; it++) {
                                long c0 = OS.getProcessCpuTime(), t0 = System.nanoTime();
                                mm.apply(tensor, x, batch, out);
                                long t1 = System.nanoTime(), c1 = OS.getProcessCpuTime();
                                best = Math.min(best, (t1 - t0) / 1e6);
                                bestCpu = Math.min(bestCpu, (c1 - c0) / 1e6);
                            }
                            double gb = rowBytes * rows / 1e9;
                            System.out.printf("%-5s %5dx%-5d %2s threads batch %4d: wall %8.2f ms %6.2f GB/s weights %7.2f GB/s x batch %7.1f ns/row/input   cpu %8.2f ms %7.1f ns/row/input%n",
                                    t, rows, cols, th, batch, best, gb / best * 1e3, gb * batch / best * 1e3, best * 1e6 / rows / batch,
                                    bestCpu, bestCpu * 1e6 / rows / batch);
                        }
                    }
                }
            }
        }
    }

    /** Random blocks whose fp16 scales are small, finite and sane (random bytes would give NaNs and infinities). */
    private static void randomize(MemorySegment w, GgmlType t, Random r) {
        byte[] chunk = new byte[1 << 16];
        for (long o = 0; o < w.byteSize(); o += chunk.length) {
            r.nextBytes(chunk);
            MemorySegment.copy(MemorySegment.ofArray(chunk), 0, w, o, Math.min(chunk.length, w.byteSize() - o));
        }
        short h = Float.floatToFloat16(0.01f);
        int[] fields = switch (t) {
            case Q4_0, Q8_0 -> new int[] {0};
            case Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
        for (long b = 0; b < w.byteSize(); b += t.typeSize) {
            for (int f : fields) w.set(ValueLayout.JAVA_SHORT_UNALIGNED, b + f, h);
        }
    }
}
