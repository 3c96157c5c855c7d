package dev.loupe.train.bpe;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.train.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpeTrainerTest {
    static String train, heldOut;
    static BpeVocab vocab;
    static BpeEncoder encoder;

    @BeforeAll
    static void trainOnShakespeare() {
        String text = Corpus.read(TestData.shakespeare());
        int split = text.length() * 9 / 10;
        train = text.substring(0, split);
        heldOut = text.substring(split);
        vocab = new BpeTrainer(512).train(train);
        encoder = new BpeEncoder(vocab);
    }

    @Test
    void vocabularyHasTheRequestedSizeAndEndOfText() {
        assertThat(vocab.size()).isEqualTo(512);
        assertThat(vocab.tokens()[vocab.endOfText()]).isEqualTo("<|endoftext|>");
        assertThat(vocab.merges()).hasSizeGreaterThanOrEqualTo(512 - 256 - 1);
    }

    @Test
    void encodeDecodeRoundTripsTheWholeCorpus() {
        String all = train + heldOut;
        int[] ids = encoder.encode(all);
        assertThat(encoder.decode(ids)).isEqualTo(all);
        // Merges compress: a 512-token vocabulary should need clearly fewer tokens than characters (measured: 0.52 tokens per character).
        assertThat((double) ids.length / all.length()).isLessThan(0.6);
    }

    @Test
    void enginesTokenizerReproducesTheTrainersEncoding(@TempDir Path dir) {
        Path file = dir.resolve("tok.gguf");
        vocab.save(file);
        try (GgufFile f = GgufFile.open(file)) {
            Tokenizer engine = Tokenizer.fromMetadata(f.metadata());
            assertThat(engine.vocabSize()).isEqualTo(512);
            assertThat(engine.eos()).isEqualTo(vocab.endOfText());
            List<String> samples = new ArrayList<>();
            for (int i = 0; i < heldOut.length(); i += 2000) samples.add(heldOut.substring(i, Math.min(heldOut.length(), i + 2000)));
            samples.add("  two  spaces,\ttab\n\n\nnewlines   then 12345 6.7 it's we'll THEY'RE 'quoted' café naïve 日本語 😀 -- ?!");
            samples.add(" ");
            samples.add("end with spaces   ");
            for (String s : samples) {
                int[] ours = encoder.encode(s);
                assertThat(engine.encode(s, false, false)).as("engine encoding of %s", s).containsExactly(ours);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (int id : ours) bytes.writeBytes(engine.tokenBytes(id));
                assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(s);
            }
        }
        assertThat(BpeVocab.load(file).merges()).containsExactly(vocab.merges());
    }

    @Test
    void clearErrors() {
        assertThatThrownBy(() -> Corpus.decode(new byte[0], "x.txt")).isInstanceOf(LoupeException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> Corpus.decode(new byte[]{'a', 'b', (byte) 0xC3, '(', 'c'}, "x.txt"))
                .isInstanceOf(LoupeException.class).hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> new BpeTrainer(1000).train("abc abc abd"))
                .isInstanceOf(LoupeException.class).hasMessageContaining("supports at most");
        assertThatThrownBy(() -> new BpeTrainer(100)).isInstanceOf(LoupeException.class).hasMessageContaining("too small");
    }

    @Test
    void preTokenizerKeepsEveryCharacter() {
        String s = "Hello,  world!\n\n  It's 2024 'tis";
        StringBuilder sb = new StringBuilder();
        List<String> words = new ArrayList<>();
        Gpt2PreTokenizer.split(s, w -> { sb.append(w); words.add(w); });
        assertThat(sb.toString()).isEqualTo(s);
        assertThat(words).containsExactly("Hello", ",", " ", " world", "!", "\n\n ", " It", "'s", " 2024", " '", "tis");
    }
}
