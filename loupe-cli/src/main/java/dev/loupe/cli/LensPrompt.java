package dev.loupe.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** The model and the prompt of a {@code lens} command that studies one prompt. */
final class LensPrompt {
    @Mixin
    ModelOptions modelOptions;

    @Parameters(paramLabel = "PROMPT", arity = "1..*", description = "The prompt (several arguments are joined with spaces).")
    List<String> words;

    @Option(names = "--no-bos", description = "Do not add the BOS token the model asks for.")
    boolean noBos;

    LoadedModel open() {
        return LoadedModel.open(modelOptions);
    }

    int[] ids(LoadedModel lm) {
        return LensSupport.encode(lm, String.join(" ", words), noBos);
    }

    String modelName() {
        return LensSupport.modelName(modelOptions);
    }
}
