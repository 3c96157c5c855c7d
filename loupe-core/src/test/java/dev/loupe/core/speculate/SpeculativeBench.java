package dev.loupe.core.speculate;

import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Not a test: generation speed of plain decoding against speculative decoding with each drafter, same prompt, same
 * settings, in one JVM (so each is measured after the same warm-up). Per configuration: best and median generation
 * tokens/s in wall time over the repetitions, process CPU time per generated token (on a loaded machine wall time is
 * stolen by others; CPU time is not, though it counts the pool's spinning), acceptance and tokens per target pass.
 * Run (from loupe-core, after test-compile):
 *   java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.loupe.core.speculate.SpeculativeBench \
 *     TARGET.gguf "PROMPT" N TEMP THREADS REPS DRAFTER...
 * where a DRAFTER is {@code model:FILE:K[:PMIN]} (PMIN: the draft's minimum confidence, default 0), {@code lookup:N:K}
 * or {@code plain}; plain decoding always runs first.
 */
public final class SpeculativeBench {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) {
        Path targetFile = Path.of(args[0]);
        String promptText = args[1];
        int n = Integer.parseInt(args[2]);
        float temp = Float.parseFloat(args[3]);
        int threads = Integer.parseInt(args[4]);
        int reps = Integer.parseInt(args[5]);
        List<String> drafters = Arrays.asList(args).subList(6, args.length);
        try (Model target = Model.load(targetFile); ThreadPool pool = new ThreadPool(threads)) {
            Tokenizer tok = Tokenizer.fromMetadata(target.file().metadata());
            int[] prompt = tok.encode(promptText, true, false);
            SamplingParams params = SamplingParams.defaults().withTemperature(temp).withMaxTokens(n);
            System.out.printf("target %s, prompt %d tokens, %d new, temp %.2f, %d threads, %d reps, load %.2f%n", targetFile.getFileName(),
                    prompt.length, n, temp, threads, reps, OS.getSystemLoadAverage());
            // The whole list twice, printing the second pass only: the JIT compiles each configuration's paths at
            // its own pace, and whatever ran first would otherwise pay for it (measured: plain 3.0 ms/token first,
            // 1.4 ms/token last in one run).
            for (quiet = true; ; quiet = false) {
                if (!quiet) {
                    System.out.println("| drafter | k | tok/s best | tok/s median | CPU ms/token | acceptance | tokens/pass |");
                    System.out.println("|---|---|---|---|---|---|---|");
                }
                runAll(target, tok, pool, prompt, params, reps, drafters);
                if (!quiet) break;
            }
            System.out.printf("load at end %.2f%n", OS.getSystemLoadAverage());
        }
    }

    private static boolean quiet;

    private static void runAll(Model target, Tokenizer tok, ThreadPool pool, int[] prompt, SamplingParams params, int reps, List<String> drafters) {
        int ctx = target.config().contextLength();
        plain(target, tok, pool, prompt, params, reps);
        for (String spec : drafters) {
            if (spec.equals("plain")) {
                plain(target, tok, pool, prompt, params, reps);
                continue;
            }
            double[] tps = new double[reps];
            double cpu = 0;
            String[] p = spec.split(":");
            int k = Integer.parseInt(p[2]);
            Model dm = p[0].equals("model") ? Model.load(Path.of(p[1])) : null;
            int drafted = 0, accepted = 0;
            double passes = 0, tokens = 0;
            try (Session s = new Session(target, ctx, pool);
                 Drafter d = dm != null ? new ModelDrafter(new Session(dm, ctx, pool), Tokenizer.fromMetadata(dm.file().metadata()), tok,
                         target.config().vocabSize(), Path.of(p[1]).getFileName().toString(), dm, p.length > 3 ? Float.parseFloat(p[3]) : 0)
                         : new LookupDrafter(Integer.parseInt(p[1]), 1)) {
                SpeculativeGenerator gen = new SpeculativeGenerator(s, tok, d, k);
                for (int r = -2; r < reps; r++) {
                    s.rewind(0);
                    long c0 = OS.getProcessCpuTime();
                    SpeculativeResult res = gen.generate(prompt, params.withSeed(r + 10), null);
                    if (r >= 0) {
                        tps[r] = res.generation().genTokensPerSecond();
                        cpu += (OS.getProcessCpuTime() - c0) / 1e6 / res.generation().ids().length;
                        drafted += res.stats().drafted();
                        accepted += res.stats().accepted();
                        passes += res.stats().targetPasses();
                        tokens += res.generation().ids().length;
                    }
                }
                row(d.describe(), String.valueOf(k), tps, cpu / reps, drafted == 0 ? 0 : (double) accepted / drafted, tokens / passes);
            }
        }
    }

    /** Plain decoding, the baseline; runs first, and again wherever a {@code plain} argument asks (to see drift). */
    private static void plain(Model target, Tokenizer tok, ThreadPool pool, int[] prompt, SamplingParams params, int reps) {
        double[] tps = new double[reps];
        double cpu = 0;
        try (Session s = new Session(target, target.config().contextLength(), pool)) {
            for (int r = -2; r < reps; r++) { // two warm-up runs
                s.rewind(0);
                long c0 = OS.getProcessCpuTime();
                GenerationResult g = new Generator(s, tok).generate(prompt, new int[0], params.withSeed(r + 10), null);
                if (r >= 0) {
                    tps[r] = g.genTokensPerSecond();
                    cpu += (OS.getProcessCpuTime() - c0) / 1e6 / g.ids().length;
                }
            }
        }
        row("plain", "-", tps, cpu / reps, Double.NaN, 1.0);
    }

    private static void row(String name, String k, double[] tps, double cpuMsPerToken, double acceptance, double perPass) {
        if (quiet) return;
        double[] sorted = tps.clone();
        Arrays.sort(sorted);
        System.out.printf("| %s | %s | %.1f | %.1f | %.2f | %s | %.2f |%n", name, k, sorted[sorted.length - 1], sorted[sorted.length / 2],
                cpuMsPerToken, Double.isNaN(acceptance) ? "-" : String.format("%.1f%%", 100 * acceptance), perPass);
    }
}
