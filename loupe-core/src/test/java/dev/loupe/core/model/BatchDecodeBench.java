package dev.loupe.core.model;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.Sampler;
import dev.loupe.core.sample.SamplingParams;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Not a test: the engine half of serving. B sessions share one {@link Forward} and a paged KV pool, each is prefilled
 * with a short random prompt, then {@link Forward#decode} runs all B together step after step and every row is
 * sampled (temperature 0.8, as the serving benchmark's clients ask), which is what the server's scheduler does per
 * step minus HTTP. Prints, per batch size, milliseconds per step and tokens/s in wall time and in process CPU time
 * (all threads: on a shared machine whole time slices are stolen, which CPU time does not count), and the ratio
 * of tokens/s to batch 1's.
 * Run: java --add-modules jdk.incubator.vector -cp CP dev.loupe.core.model.BatchDecodeBench MODEL.gguf
 *      [threads=2] [batches=1,8] [steps=16] [prompt=20]
 */
public final class BatchDecodeBench {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String[] batches = (args.length > 2 ? args[2] : "1,8").split(",");
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int prompt = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int maxBatch = 1;
        for (String b : batches) maxBatch = Math.max(maxBatch, Integer.parseInt(b));
        int ctx = prompt + 2 * steps + 8;
        SplittableRandom random = new SplittableRandom(42);
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(threads)) {
            int vocab = model.config().vocabSize();
            Forward engine = new Forward(model, pool, Math.max(maxBatch, prompt), ctx);
            KvPool kv = new KvPool(model.config(), maxBatch * ((ctx + 15) / 16), 16);
            Session[] sessions = new Session[maxBatch];
            Sampler[] samplers = new Sampler[maxBatch];
            for (int i = 0; i < maxBatch; i++) {
                sessions[i] = new Session(model, ctx, engine, kv);
                samplers[i] = new Sampler(SamplingParams.defaults().withTemperature(0.8f).withSeed(i));
            }
            int[] tokens = new int[maxBatch];
            float[] row = new float[vocab];
            double base = 0;
            System.out.printf("%s, %d threads, %d decode steps after a %d-token prompt%n", file.getFileName(), threads, steps, prompt);
            for (String bs : batches) {
                int b = Integer.parseInt(bs);
                for (int pass = 0; pass < 2; pass++) { // the first pass warms the JIT up for this batch size
                    for (int i = 0; i < b; i++) {
                        sessions[i].rewind(0);
                        int[] p = new int[prompt];
                        for (int j = 0; j < prompt; j++) p[j] = random.nextInt(vocab);
                        sessions[i].prefill(p);
                        tokens[i] = random.nextInt(vocab);
                    }
                    long c0 = OS.getProcessCpuTime(), t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) {
                        float[] logits = engine.decode(sessions, tokens, b);
                        for (int i = 0; i < b; i++) {
                            System.arraycopy(logits, i * vocab, row, 0, vocab);
                            tokens[i] = samplers[i].sample(row);
                        }
                    }
                    double wall = (System.nanoTime() - t0) / 1e9, cpu = (OS.getProcessCpuTime() - c0) / 1e9;
                    if (pass == 0) continue;
                    double tps = b * steps / wall;
                    if (b == 1 || base == 0) base = tps;
                    System.out.printf("batch %2d: wall %7.1f ms/step %7.2f tok/s (%.2fx batch 1)   cpu %7.1f ms/step %7.2f tok/CPU-s%n",
                            b, wall * 1e3 / steps, tps, tps / base, cpu * 1e3 / steps, b * steps / cpu);
                }
            }
        }
    }
}
