package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.quant.ModelQuantizer;
import dev.loupe.core.quant.QuantMix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Quantize a GGUF model (F32, F16 or BF16 weights) to a smaller type, byte for byte as llama-quantize does.", "",
                "Plain types (Q8_0, Q4_0, Q6_K, ...) put every weight matrix in that type, except that the output",
                "projection gets Q6_K as llama.cpp does. The _M and _S mixtures also give attn_v and part of ffn_down",
                "more (or fewer) bits; Q4_K and Q5_K mean Q4_K_M and Q5_K_M. --pure puts every weight matrix in the",
                "one type. Norms and other 1-D tensors are copied unchanged. A row length the type cannot split",
                "falls back as in llama.cpp (Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, else F16).", ""},
        footer = {"", "Types: " + "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K (Q4_K = Q4_K_M, Q5_K = Q5_K_M)", "",
                "Examples:",
                "  loupe quantize model-f16.gguf model-q4_k_m.gguf Q4_K_M",
                "  loupe quantize model-f32.gguf model-q8_0.gguf Q8_0 --pure     every matrix Q8_0, output included",
                "  loupe inspect model-q4_k_m.gguf                                  see which type each tensor got"})
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "The GGUF to quantize (F32, F16 or BF16 weights).")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "Where to write the quantized GGUF (written atomically).")
    Path output;

    @Parameters(index = "2", paramLabel = "TYPE", description = "Target type or mixture (see below).")
    String type;

    @Option(names = "--pure", description = "Every weight matrix in TYPE: no mixture rules, no Q6_K output.")
    boolean pure;

    @Option(names = "--allow-requantize", description = "Accept weights that are already quantized (loses accuracy).")
    boolean allowRequantize;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: all cores, ${DEFAULT-VALUE}).")
    int threads = ThreadPool.defaultThreads();

    @Override
    public Integer call() {
        QuantMix mix = QuantMix.parse(type);
        if (threads < 1 || threads > 1024) throw new LoupeException("--threads must be between 1 and 1024, got " + threads);
        if (!Files.exists(input)) throw new LoupeException("no such file: " + input);
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        long total = ModelQuantizer.plannedBytes(input, mix, pure);
        ModelQuantizer.Result r;
        try (Progress p = Progress.bar(err, "quantizing to " + mix, total)) {
            r = ModelQuantizer.quantize(input, output, new ModelQuantizer.Options(mix, pure, allowRequantize, threads), p::update);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        err.printf("wrote %s: %s%s, %d tensors (%d converted%s), %.1f MiB -> %.1f MiB in %.1f s%n", output, mix, pure ? " (pure)" : "",
                r.tensors(), r.converted(), r.fallbacks() > 0 ? ", " + r.fallbacks() + " fell back for their row length" : "",
                r.inputBytes() / 1048576.0, r.outputBytes() / 1048576.0, secs);
        return 0;
    }
}
