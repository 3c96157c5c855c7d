package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.lora.LoraSpec;
import dev.loupe.core.model.RopeScaling;
import dev.loupe.core.parallel.ThreadPool;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Which model to load and how to run it; shared by the commands that run a model. */
final class ModelOptions {
    static final String SHIPPED = "models/loupe-shakespeare.gguf";

    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "GGUF model to load (default: the model that ships with Loupe, " + SHIPPED + ").")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads for matrix work (default: all cores, ${DEFAULT-VALUE}).")
    int threads = ThreadPool.defaultThreads();

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N",
            description = "Context size in tokens (default: the model's training context, at most 4096).")
    Integer contextSize;

    @Option(names = "--lora", paramLabel = "FILE[:SCALE]",
            description = "Apply a GGUF LoRA adapter (llama.cpp format) at load time, optionally scaled (default 1); repeatable.")
    List<String> lora = new ArrayList<>();

    @Option(names = "--rope-scaling", paramLabel = "TYPE",
            description = "Stretch RoPE to run past the trained context: none, linear, ntk or yarn (default: as the model file says).")
    String ropeScaling;

    @Option(names = "--rope-scale", paramLabel = "F", description = "Context extension factor for --rope-scaling, e.g. 4 for four times the trained context.")
    Float ropeScale;

    @Option(names = "--yarn-orig-ctx", paramLabel = "N", description = "YaRN: the context the model was trained on (default: from the model file).")
    Integer yarnOrigCtx;

    /**
     * How the RoPE flags change the file's scaling, as llama.cpp's do: a flag replaces its part, the rest comes from the
     * file (a scale without a type scales linearly). Null when no flag is given.
     */
    UnaryOperator<RopeScaling> ropeOverride() {
        if (ropeScaling == null && ropeScale == null && yarnOrigCtx == null) return null;
        if (ropeScale != null && !(ropeScale > 0)) throw new LoupeException("--rope-scale must be positive, got " + ropeScale);
        if (yarnOrigCtx != null && yarnOrigCtx < 1) throw new LoupeException("--yarn-orig-ctx must be positive, got " + yarnOrigCtx);
        RopeScaling.Type type = ropeScaling == null ? null : RopeScaling.Type.parse(ropeScaling);
        return file -> new RopeScaling(type != null ? type : file.isNone() ? RopeScaling.Type.LINEAR : file.type(),
                ropeScale != null ? ropeScale : file.factor(), yarnOrigCtx != null ? yarnOrigCtx : file.originalContext(),
                file.extFactor(), file.attnFactor(), file.betaFast(), file.betaSlow(), file.yarnLogMul());
    }

    List<LoraSpec> loraSpecs() {
        List<LoraSpec> out = new ArrayList<>();
        for (String s : lora) {
            LoraSpec spec = LoraSpec.parse(s);
            if (!Files.isRegularFile(spec.file())) throw new LoupeException("no such LoRA adapter file: " + spec.file());
            out.add(spec);
        }
        return out;
    }

    Path resolveModel() {
        Path p = model != null ? model : shippedModel();
        if (!Files.exists(p)) throw new LoupeException("no such model file: " + p);
        return p;
    }

    int threads() {
        if (threads < 1 || threads > 1024) throw new LoupeException("--threads must be between 1 and 1024, got " + threads);
        return threads;
    }

    int contextSize(int trained) {
        int c = contextSize != null ? contextSize : Math.min(trained, 4096);
        if (c < 1) throw new LoupeException("--ctx-size must be positive, got " + c);
        return c;
    }

    static Path shippedModel() {
        String home = System.getProperty("loupe.home");
        Path p = (home != null ? Path.of(home) : Path.of(".")).resolve(SHIPPED);
        if (!Files.exists(p)) {
            throw new LoupeException("the shipped model is missing at " + p + "; give a model with -m FILE");
        }
        return p;
    }
}
