package dev.loupe.core.model;

import dev.loupe.core.parallel.ThreadPool;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * Not a test: one layer's attention for one decoded token over D cached positions, per KV cache type, on one thread,
 * timed in thread CPU time (immune to a loaded machine's stolen slices). Shape: Llama-3.2-1B's attention (32 query
 * heads, 8 KV heads of 64); multiply by its 16 layers for a token. Best of 20 timed passes after 3 s of warm-up.
 * Run: java --add-modules jdk.incubator.vector -cp CP dev.loupe.core.model.KvAttentionBench [depths=4096,32768]
 *      [types=f32,f16,q8_0,q4_0]
 */
public final class KvAttentionBench {
    public static void main(String[] args) {
        String[] depths = (args.length > 0 ? args[0] : "4096,32768").split(",");
        String[] types = (args.length > 1 ? args[1] : "f32,f16,q8_0,q4_0").split(",");
        ModelConfig c = KvPoolTest.config(1, 32, 8, 64);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.println("| type K/V | depth | KV bytes per layer | µs per layer (thread CPU) | ns per position per layer |");
        System.out.println("|---|---:|---:|---:|---:|");
        try (ThreadPool one = new ThreadPool(1)) {
            for (String d : depths) {
                int depth = Integer.parseInt(d);
                for (String t : types) {
                    KvFormat f = new KvFormat(KvFormat.parseType(t), KvFormat.parseType(t));
                    try (KvPool pool = new KvPool(c, (depth + 15) / 16, 16, f)) {
                        KvCache cache = new KvCache(pool, depth);
                        cache.reserve(depth);
                        SplittableRandom r = new SplittableRandom(3);
                        float[] row = new float[c.kvDim()];
                        for (int p = 0; p < depth; p++) {
                            for (int i = 0; i < row.length; i++) row[i] = (float) (r.nextDouble() * 2 - 1);
                            pool.writeKey(0, cache.row(p), row, 0);
                            pool.writeValue(0, cache.row(p), row, 0);
                        }
                        float[] q = new float[c.qDim()], out = new float[c.heads() * c.valueDim()];
                        for (int i = 0; i < q.length; i++) q[i] = (float) (r.nextDouble() * 2 - 1);
                        Attention a = new Attention(c, 1, depth);
                        KvCache[] caches = {cache};
                        int[] pos = {depth - 1};
                        long until = System.nanoTime() + 3_000_000_000L;
                        while (System.nanoTime() < until) a.run(one, 0, q, out, caches, pos, 1);
                        long best = Long.MAX_VALUE;
                        for (int i = 0; i < 20; i++) {
                            long t0 = mx.getCurrentThreadCpuTime();
                            a.run(one, 0, q, out, caches, pos, 1);
                            best = Math.min(best, mx.getCurrentThreadCpuTime() - t0);
                        }
                        System.out.printf("| %s | %d | %.1f MiB | %.0f | %.1f |%n", t, depth,
                                KvPool.bytesPerPosition(c, f) * (double) depth / 1048576, best / 1e3, (double) best / depth);
                    }
                }
            }
        }
    }
}
