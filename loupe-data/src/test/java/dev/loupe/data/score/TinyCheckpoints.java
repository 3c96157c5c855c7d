package dev.loupe.data.score;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;
import dev.loupe.train.Trainer;
import dev.loupe.train.bpe.BpeEncoder;
import dev.loupe.train.bpe.BpeTrainer;
import dev.loupe.train.bpe.BpeVocab;
import dev.loupe.train.data.TokenData;
import dev.loupe.train.io.ModelExporter;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real (tiny) training run with loupe-train, exported at step 0 ({@link #early}) and after {@link #STEPS} steps
 * ({@link #late}): two checkpoints of one run, sharing a tokenizer, made once per test JVM (a few seconds).
 * The corpus is sentences of a small grammar, so the run learns them and not random letters.
 */
final class TinyCheckpoints {
    static final int STEPS = 120;
    static final Path DIR;
    static final Path early, late;
    static final LlamaConfig CONFIG;
    /** The late checkpoint's parameters, for an independent loss computation by the training forward pass. */
    static final float[] LATE_PARAMS;
    static final BpeVocab VOCAB;

    private static final String[] SUBJECTS = {"the cat", "the dog", "a bird", "my friend", "the old man", "a child"};
    private static final String[] VERBS = {"sat on", "ran to", "looked at", "walked past", "jumped over", "sang near"};
    private static final String[] OBJECTS = {"the mat", "the park", "the river", "a tree", "the house", "the hill"};

    static {
        try {
            DIR = Files.createTempDirectory("loupe-data-ckpt");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = grammar(new SplitMix64(1), 3000);
        VOCAB = new BpeTrainer(300).train(text);
        BpeEncoder enc = new BpeEncoder(VOCAB);
        CONFIG = new LlamaConfig(VOCAB.size(), 32, 2, 4, 2, 64, 64, 10000f, 1e-5f, true);
        try (ThreadPool pool = new ThreadPool(1)) {
            LlamaModel m = new LlamaModel(CONFIG, 4, 32, pool);
            m.initialize(3);
            early = DIR.resolve("early.gguf");
            ModelExporter.write(early, "early", CONFIG, m.params, VOCAB);
            Trainer t = new Trainer(m, new AdamW(AdamWConfig.defaults(1e-2f, 10, STEPS), m.layout()), new TokenData(text, enc), 5, 1);
            for (int i = 0; i < STEPS; i++) t.step();
            late = DIR.resolve("late.gguf");
            ModelExporter.write(late, "late", CONFIG, m.params, VOCAB);
            LATE_PARAMS = m.params.clone();
        }
        early.toFile().deleteOnExit();
        late.toFile().deleteOnExit();
    }

    private TinyCheckpoints() {}

    /** {@code n} sentences of the grammar, one per line. */
    static String grammar(SplitMix64 r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(SUBJECTS[r.nextInt(SUBJECTS.length)]).append(' ').append(VERBS[r.nextInt(VERBS.length)]).append(' ')
                    .append(OBJECTS[r.nextInt(OBJECTS.length)]).append(".\n");
        }
        return sb.toString();
    }

    /** Random lowercase "words": nothing the run could learn. */
    static String noise(SplitMix64 r, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) sb.append(' ');
            for (int j = 0, n = 2 + r.nextInt(6); j < n; j++) sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }
}
