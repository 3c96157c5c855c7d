package dev.loupe.cli;

import dev.loupe.train.bpe.BpeTrainer;
import dev.loupe.train.bpe.BpeVocab;
import dev.loupe.train.bpe.Corpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "tokenizer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Learn a byte-level BPE vocabulary (GPT-2 style, pre-tokenizer gpt-2) and write it as a vocabulary-only GGUF.", ""},
        footer = {"", "Example:", "  loupe train tokenizer --corpus input.txt --vocab 4096 -o tok.gguf"})
final class TrainTokenizerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", paramLabel = "FILE", required = true, description = "UTF-8 training text.")
    Path corpus;

    @Option(names = "--vocab", paramLabel = "N", required = true, description = "Vocabulary size: 256 bytes + merges + <|endoftext|>.")
    int vocab;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "Where to write the tokenizer GGUF.")
    Path output;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        String text = Corpus.read(corpus);
        BpeVocab v = new BpeTrainer(vocab).train(text);
        v.save(output);
        spec.commandLine().getErr().printf("wrote %s: %d tokens, %d merges in %.1f s%n", output, v.size(), v.merges().length, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
