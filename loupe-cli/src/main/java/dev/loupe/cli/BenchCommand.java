package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ReadBandwidth;
import dev.loupe.core.parallel.ThreadPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure a model's speed the way llama-bench does, so the two can be compared side by side.", "",
                "pp<P>: a prompt of P tokens processed in one go; tokens/s = P / time.",
                "tg<N>: N tokens generated one at a time (each with its logits); tokens/s = N / time.",
                "Each test runs once untimed (so the JIT has compiled the kernels), then R timed times; the table shows",
                "the mean +- the standard deviation of tokens/s over those R runs, and the process's resident memory",
                "(VmRSS; mapped model pages that were read count, as they do for llama.cpp). Token ids are random:",
                "speed does not depend on them. Speed does depend on what else the machine is doing: close other work",
                "and compare runs made in the same session.",
                "-d N: the tests run after N tokens already in the KV cache (llama-bench's -d), so the rows show what a long",
                "context costs. --depth-fill random computes only the first 64 of them and fills the rest with noise of the",
                "same per-layer scale: attention reads every cached row whatever it holds, so speed is the same and a 32k",
                "depth takes seconds instead of an hour of prefill on a small CPU.", ""},
        footer = {"", "Examples:",
                "  loupe bench -m model.gguf                        pp512 and tg128, all cores, 3 repetitions",
                "  loupe bench -m model.gguf -t 2 -p 512 -n 128 -r 3  the same settings as llama-bench -t 2",
                "  loupe bench -m model.gguf -p 0 -n 32 --json       generation only, as JSON for scripts",
                "  loupe bench -m model.gguf -p 0 -n 32 -d 0,1024,4096   generation speed at three context depths",
                "  loupe bench -m model.gguf -p 0 -n 16 -d 32768 --depth-fill random   a 32k cache without its prefill",
                "  loupe bench -m m.gguf -p 0 -n 8 -d 32768 --depth-fill random -ctk q8_0 -ctv q8_0 --kv-ram 256M --kv-offload-dir /tmp",
                "  loupe bench -m model.gguf -t 2 --vs ~/llama.cpp/build/bin/llama-bench   both engines, same file, one table",
                "  loupe bench -m model.gguf -t 2 -p 0 --roofline   decode speed as a share of the memory-bandwidth bound",
                "", "Compare with: llama-bench -m model.gguf -t 2 -p 512 -n 128 -r 3 (or let --vs run it)"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", required = true, description = "The GGUF model to measure.")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: all cores, ${DEFAULT-VALUE}).")
    int threads = ThreadPool.defaultThreads();

    @Option(names = {"-p", "--n-prompt"}, paramLabel = "P", description = "Prompt tokens for the pp test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int prompt = 512;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", description = "Generated tokens for the tg test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int gen = 128;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "R", description = "Timed runs per test (default: ${DEFAULT-VALUE}).")
    int reps = 3;

    @Option(names = "--json", description = "Print a JSON array: {test, depth, threads, tokens_per_s, stddev, rss_bytes} per test "
                    + "(with --vs also llama_cpp_tokens_per_s, llama_cpp_stddev, llama_cpp_peak_rss_bytes and ratio).")
    boolean json;

    @Option(names = {"-d", "--depth"}, paramLabel = "N[,N...]", split = ",",
            description = "Tokens already in the KV cache when each test starts (llama-bench's -d); a list gives rows per depth (default: 0).")
    List<Integer> depths;

    @Option(names = "--depth-fill", paramLabel = "real|random",
            description = "How the depth is filled: real (computed from random tokens, default) or random (64 computed, the rest noise of their scale; same attention cost, far quicker).")
    String depthFill = "real";

    @picocli.CommandLine.Mixin
    KvCacheOptions kvCache;

    @picocli.CommandLine.Mixin
    KvOffloadOptions kvOffload;

    @Option(names = "--lora", paramLabel = "FILE[:SCALE]", description = "Measure with this LoRA adapter applied (repeatable).")
    List<String> lora = new ArrayList<>();

    @Option(names = "--vs", paramLabel = "LLAMA_BENCH",
            description = "Also run this llama-bench (a llama.cpp build of your own) on the same file with the same -t -p -n -r -d -ctk -ctv, "
                    + "first and alone, and print both engines' tokens/s side by side with Loupe's ratio to it.")
    Path vs;

    @Option(names = "--roofline",
            description = "Also measure how fast the threads read the mapped model file (best of 5 passes) and state each tg result as a share "
                    + "of the decode bound that gives: bandwidth / the weight bytes a token reads.")
    boolean roofline;

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || threads > 1024) throw new LoupeException("--threads must be between 1 and 1024, got " + threads);
        if (prompt < 0 || gen < 0) throw new LoupeException("-p and -n must not be negative");
        if (prompt == 0 && gen == 0) throw new LoupeException("nothing to measure: -p and -n are both 0");
        if (reps < 1) throw new LoupeException("--repetitions must be at least 1, got " + reps);
        if (!Files.exists(model)) throw new LoupeException("no such model file: " + model);
        List<Integer> depthList = depths == null || depths.isEmpty() ? List.of(0) : depths;
        for (int d : depthList) if (d < 0) throw new LoupeException("--depth must not be negative, got " + d);
        BenchRunner.DepthFill fill = switch (depthFill.toLowerCase(java.util.Locale.ROOT)) {
            case "real" -> BenchRunner.DepthFill.REAL;
            case "random" -> BenchRunner.DepthFill.RANDOM;
            default -> throw new LoupeException("--depth-fill must be real or random, got " + depthFill);
        };
        if (roofline && Files.size(model) < 1 << 20) {
            throw new LoupeException("--roofline needs a model file of 1 MiB or more: reading less measures the CPU's caches, not memory");
        }
        int maxDepth = depthList.stream().mapToInt(Integer::intValue).max().orElse(0);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LlamaBench.Run reference = null;
        if (vs != null) {
            kvCache.format(); // a bad -ctk/-ctv is reported before the reference runs
            // First, while this process holds no model: each engine runs alone on the machine.
            List<String> cmd = LlamaBench.command(vs, model, threads, prompt, gen, reps, depthList, kvCache.keys, kvCache.values);
            if (!json) err.println("reference: " + String.join(" ", cmd));
            reference = LlamaBench.run(cmd);
        }
        List<BenchResult> results = new ArrayList<>();
        Roofline bound = null;
        try (Model m = Model.load(model, lora.stream().map(dev.loupe.core.lora.LoraSpec::parse).toList()); ThreadPool pool = new ThreadPool(threads);
             Session s = new Session(m, Math.addExact(maxDepth, Math.max(prompt, gen)), pool, kvCache.format(), kvOffload.offload())) {
            BenchRunner runner = new BenchRunner(s, m.config().vocabSize());
            boolean warm = false;
            for (int d : depthList) {
                if (d > 0) {
                    if (!json) err.printf("filling the cache to depth %d (%s)...%n", d, fill.name().toLowerCase(java.util.Locale.ROOT));
                    try (Progress p = Progress.count(err, "depth " + d, d)) {
                        runner.fill(d, fill, p::update);
                    }
                } else {
                    runner.fill(0, fill, done -> {});
                }
                // One untimed run per test at the first depth: the kernels are the same at every depth.
                if (prompt > 0) results.add(measure("pp" + prompt, d, !warm, () -> runner.promptOnce(prompt), runner, err));
                if (gen > 0) results.add(measure("tg" + gen, d, !warm, () -> runner.generateOnce(gen), runner, err));
                warm = true;
            }
            if (roofline) {
                if (!json) err.println("roofline: reading the mapped model file...");
                bound = new Roofline(ReadBandwidth.measure(m.file().segment(), pool, 5), Roofline.bytesPerToken(m.file()));
            }
        }
        if (json) printJson(out, results, reference, bound);
        else {
            if (reference != null) printSideBySide(out, results, reference);
            else printTable(out, results);
            if (bound != null) printRoofline(out, results, reference, bound);
        }
        return 0;
    }

    /** One test at depth {@code d}: an untimed run first when {@code warmUp}, then the timed repetitions. */
    private BenchResult measure(String test, int d, boolean warmUp, java.util.function.DoubleSupplier once, BenchRunner runner, PrintWriter err) {
        if (!json) err.printf("%s: %s%d runs...%n", BenchResult.name(test, d), warmUp ? "warming up, then " : "", reps);
        if (warmUp) once.getAsDouble();
        return BenchResult.of(test, d, threads, runner.repeat(reps, once), ProcStatus.read());
    }

    private void printTable(PrintWriter out, List<BenchResult> results) throws java.io.IOException {
        String name = model.getFileName().toString();
        long bytes = Files.size(model);
        String size = bytes >= 1L << 30 ? String.format("%.2f GiB", bytes / (double) (1L << 30)) : String.format("%.1f MiB", bytes / 1048576.0);
        int w = 7;
        for (BenchResult r : results) w = Math.max(w, BenchResult.name(r.test(), r.depth()).length());
        String row = "| %-28s | %10s | %7s | %" + w + "s | %20s | %10s | %10s |%n";
        out.printf(row, "model", "size", "threads", "test", "t/s", "rss", "peak rss");
        out.printf(row, "-".repeat(28), "-".repeat(9) + ":", "-".repeat(6) + ":",
                "-".repeat(w - 1) + ":", "-".repeat(19) + ":", "-".repeat(9) + ":", "-".repeat(9) + ":");
        for (BenchResult r : results) {
            out.printf(row, name, size, String.valueOf(r.threads()), BenchResult.name(r.test(), r.depth()),
                    String.format("%.2f ± %.2f", r.tokensPerSecond(), r.stddev()), mib(r.rssBytes()), mib(r.peakRssBytes()));
        }
    }

    /** One row per test: llama.cpp's and Loupe's tokens/s, the ratio, and each process's memory. */
    private void printSideBySide(PrintWriter out, List<BenchResult> results, LlamaBench.Run reference) {
        String name = model.getFileName().toString();
        int w = 7;
        for (BenchResult r : results) w = Math.max(w, BenchResult.name(r.test(), r.depth()).length());
        String row = "| %-28s | %7s | %" + w + "s | %20s | %20s | %13s | %10s | %14s |%n";
        out.printf(row, "model", "threads", "test", "llama.cpp t/s", "Loupe t/s", "Loupe / ref", "Loupe rss", "llama.cpp peak");
        out.printf(row, "-".repeat(28), "-".repeat(6) + ":", "-".repeat(w - 1) + ":", "-".repeat(19) + ":", "-".repeat(19) + ":",
                "-".repeat(12) + ":", "-".repeat(9) + ":", "-".repeat(13) + ":");
        for (BenchResult r : results) {
            BenchResult ref = match(reference, r);
            out.printf(row, name, String.valueOf(r.threads()), BenchResult.name(r.test(), r.depth()),
                    ref == null ? "n/a" : String.format("%.2f ± %.2f", ref.tokensPerSecond(), ref.stddev()),
                    String.format("%.2f ± %.2f", r.tokensPerSecond(), r.stddev()),
                    ref == null ? "n/a" : String.format("%.2fx", r.tokensPerSecond() / ref.tokensPerSecond()),
                    mib(r.rssBytes()), mib(reference.peakRssBytes()));
        }
    }

    /** The bandwidth, the bound it puts on decoding, and each tg result's share of that bound. */
    private static void printRoofline(PrintWriter out, List<BenchResult> results, LlamaBench.Run reference, Roofline bound) {
        out.printf("%nroofline: %.2f GB/s read with %s; a token reads %.1f MB of weights, so decoding is bound at %.2f t/s%n",
                bound.bytesPerSecond() / 1e9, results.getFirst().threads() == 1 ? "1 thread" : results.getFirst().threads() + " threads", bound.bytesPerToken() / 1e6, bound.maxTokensPerSecond());
        for (BenchResult r : results) {
            if (!r.test().startsWith("tg")) continue;
            BenchResult ref = match(reference, r);
            out.printf("  %-12s Loupe %.2f t/s = %.2f GB/s = %.0f%% of the bound%s%n", BenchResult.name(r.test(), r.depth()),
                    r.tokensPerSecond(), r.tokensPerSecond() * bound.bytesPerToken() / 1e9, 100 * bound.fraction(r.tokensPerSecond()),
                    ref == null ? "" : String.format("; llama.cpp %.2f t/s = %.0f%%", ref.tokensPerSecond(), 100 * bound.fraction(ref.tokensPerSecond())));
        }
    }

    /** The reference's result for the same test at the same depth; null if it did not run one. */
    private static BenchResult match(LlamaBench.Run reference, BenchResult r) {
        if (reference == null) return null;
        for (BenchResult ref : reference.results()) {
            if (ref.test().equals(r.test()) && ref.depth() == r.depth()) return ref;
        }
        return null;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%.0f MiB", bytes / 1048576.0);
    }

    private static void printJson(PrintWriter out, List<BenchResult> results, LlamaBench.Run reference, Roofline bound) throws Exception {
        List<Map<String, Object>> arr = new ArrayList<>();
        for (BenchResult r : results) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("test", r.test());
            o.put("depth", r.depth());
            o.put("threads", r.threads());
            o.put("tokens_per_s", round(r.tokensPerSecond()));
            o.put("stddev", round(r.stddev()));
            o.put("rss_bytes", r.rssBytes());
            o.put("peak_rss_bytes", r.peakRssBytes());
            o.put("samples", r.samples());
            BenchResult ref = match(reference, r);
            if (ref != null) {
                o.put("llama_cpp_tokens_per_s", round(ref.tokensPerSecond()));
                o.put("llama_cpp_stddev", round(ref.stddev()));
                o.put("llama_cpp_peak_rss_bytes", reference.peakRssBytes());
                o.put("ratio", round(r.tokensPerSecond() / ref.tokensPerSecond()));
            }
            if (bound != null) {
                o.put("read_bandwidth_bytes_per_s", Math.round(bound.bytesPerSecond()));
                o.put("read_bytes_per_token", bound.bytesPerToken());
                if (r.test().startsWith("tg")) {
                    o.put("roofline_fraction", round(bound.fraction(r.tokensPerSecond())));
                    if (ref != null) o.put("llama_cpp_roofline_fraction", round(bound.fraction(ref.tokensPerSecond())));
                }
            }
            arr.add(o);
        }
        out.println(new ObjectMapper().writeValueAsString(arr));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
