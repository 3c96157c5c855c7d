package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gen.ModelGenerator;
import dev.loupe.core.gen.ModelShape;
import dev.loupe.core.tensor.GgmlType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "gen-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a random-weight GGUF of a real model's shape, to benchmark and test without downloading weights.",
                "Speed does not depend on the values; the text is nonsense.", ""},
        footer = {"", "Shapes: tiny, tiny-gemma2, tiny-phi3, smollm2-360m, qwen2.5-0.5b, llama-3.2-1b", "",
                "Examples:",
                "  loupe gen-model --shape llama-3.2-1b --vocab-from ggml-vocab-llama-bpe.gguf -o llama1b-f16.gguf --type F16",
                "  loupe gen-model --shape tiny -o tiny.gguf                 Loupe's own small vocabulary"})
final class GenModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--shape", paramLabel = "NAME", required = true, description = "Model shape preset (see below).")
    String shape;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "Where to write the GGUF (atomically).")
    Path output;

    @Option(names = "--type", paramLabel = "TYPE", description = "Weight type: F32, F16 or BF16 (default: ${DEFAULT-VALUE}).")
    String type = "F32";

    @Option(names = "--vocab-from", paramLabel = "FILE", description = "Copy the tokenizer from this GGUF (default: Loupe's own small vocabulary).")
    Path vocabFrom;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
    long seed = 7;

    @Option(names = "--sliding-window", paramLabel = "N", description = "Write attention.sliding_window (gemma2 shapes).")
    int slidingWindow;

    @Option(names = "--name", paramLabel = "TEXT", description = "general.name (default: the shape name).")
    String name;

    @Override
    public Integer call() {
        GgmlType t;
        try {
            t = GgmlType.valueOf(type.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new LoupeException("unknown --type " + type + " (use F32, F16 or BF16)");
        }
        ModelShape s = ModelShape.preset(shape);
        try (Progress p = Progress.bytes(spec.commandLine().getErr(), "writing " + output.getFileName())) {
            new ModelGenerator(s, t, seed, vocabFrom, slidingWindow).write(output, name != null ? name : shape, p::update);
        }
        spec.commandLine().getErr().println("wrote " + output);
        return 0;
    }
}
