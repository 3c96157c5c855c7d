package dev.loupe.core.model;

import dev.loupe.core.parallel.ThreadPool;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Not a test: generation speed with D positions already in the cache, per KV cache type (llama-bench's
 * {@code -d D -n N} with {@code -ctk/-ctv}). Filling the cache by prefill would take minutes per depth on a 1B model,
 * and speed does not depend on what the keys are, so positions [0, D) are written directly through the row API with
 * random rows, then N greedy tokens are decoded (after N warm-up tokens, rewound). Prints, per type and depth, the KV
 * cache's bytes, and ms/token and tokens/s in wall time and in process CPU time (all threads; on a shared machine
 * whole time slices are stolen, which CPU time does not count).
 * Run: java --add-modules jdk.incubator.vector -cp CP dev.loupe.core.model.KvDepthBench MODEL.gguf
 *      [threads=2] [depths=0,4096] [types=f16,q8_0,q4_0] [tokens=16]
 */
public final class KvDepthBench {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String[] depths = (args.length > 2 ? args[2] : "0,4096").split(",");
        String[] types = (args.length > 3 ? args[3] : "f16,q8_0,q4_0").split(",");
        int n = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(threads)) {
            ModelConfig c = model.config();
            System.out.printf("%s, %d threads, tg%d at depth d%n", file.getFileName(), threads, n);
            System.out.printf("| type K/V | depth | KV cache | wall ms/token | wall tok/s | CPU ms/token | tok/CPU-s |%n|---|---:|---:|---:|---:|---:|---:|%n");
            for (String d : depths) {
                int depth = Integer.parseInt(d);
                for (String t : types) {
                    KvFormat f = new KvFormat(KvFormat.parseType(t), KvFormat.parseType(t));
                    try (Session s = new Session(model, depth + n + 1, pool, f)) {
                        fill(s, depth, c);
                        SplittableRandom random = new SplittableRandom(7);
                        decode(s, random.nextInt(c.vocabSize()), n); // warm-up
                        s.rewind(depth);
                        long c0 = OS.getProcessCpuTime(), t0 = System.nanoTime();
                        decode(s, random.nextInt(c.vocabSize()), n);
                        double wall = (System.nanoTime() - t0) / 1e9, cpu = (OS.getProcessCpuTime() - c0) / 1e9;
                        long kvBytes = KvPool.bytesPerPosition(c, f) * (depth + n);
                        System.out.printf("| %s | %d | %.1f MiB | %.1f | %.2f | %.1f | %.2f |%n", t, depth, kvBytes / 1048576.0,
                                wall * 1e3 / n, n / wall, cpu * 1e3 / n, n / cpu);
                    }
                }
            }
        }
    }

    /** Positions [0, depth) of every layer get random keys and values of a typical scale. */
    private static void fill(Session s, int depth, ModelConfig c) {
        KvCache cache = s.cache();
        if (!s.reserve(depth)) throw new IllegalStateException("no room for " + depth + " positions"); // blocks are taken on demand
        SplittableRandom r = new SplittableRandom(1);
        float[] k = new float[c.kvDim()], v = new float[c.vDim()];
        for (int t = 0; t < depth; t++) {
            for (int l = 0; l < c.layers(); l++) {
                for (int i = 0; i < k.length; i++) k[i] = (float) (r.nextDouble() * 2 - 1);
                for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
                cache.pool.writeKey(l, cache.row(t), k, 0);
                cache.pool.writeValue(l, cache.row(t), v, 0);
            }
        }
        s.advance(depth);
    }

    private static void decode(Session s, int token, int n) {
        for (int i = 0; i < n; i++) {
            float[] logits = s.forward(token, true);
            int best = 0;
            for (int j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
            token = best;
        }
    }
}
