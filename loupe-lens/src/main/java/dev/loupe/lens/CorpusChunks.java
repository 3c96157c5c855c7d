package dev.loupe.lens;

import dev.loupe.core.LoupeException;
import dev.loupe.core.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * A text file cut into model-sized token sequences, read a line at a time (never the whole file): each line is
 * tokenized with its newline, tokens run on across lines, and every {@code length} tokens (BOS first when the model
 * adds one) make a sequence. The last, shorter sequence is kept when it has two tokens or more. Tokenizing line by line
 * keeps memory flat; a SentencePiece model that adds a space prefix gets one at the start of every line.
 */
public final class CorpusChunks {
    private CorpusChunks() {}

    /** Calls {@code each} with every sequence until the file ends or {@code maxTokens} corpus tokens are used. */
    public static void forEach(Path file, Tokenizer tok, int length, long maxTokens, Consumer<int[]> each) {
        int prefix = tok.addBos() ? 1 : 0;
        if (length <= prefix + 1) throw new LoupeException("sequences of " + length + " tokens are too short");
        int[] buf = new int[length];
        if (prefix == 1) buf[0] = tok.bos();
        int[] n = {prefix};
        tokens(file, tok, maxTokens, t -> {
            buf[n[0]++] = t;
            if (n[0] == length) {
                each.accept(buf.clone());
                n[0] = prefix;
            }
        });
        if (n[0] - prefix >= 2) each.accept(Arrays.copyOf(buf, n[0]));  // the corpus (or the budget) ended part way through one
    }

    /** The file's first {@code n} tokens (fewer if it is shorter), no BOS. */
    public static int[] first(Path file, Tokenizer tok, int n) {
        int[] out = new int[n], count = {0};
        tokens(file, tok, n, t -> out[count[0]++] = t);
        return Arrays.copyOf(out, count[0]);
    }

    /** Feeds the file's tokens, a line (with its newline) at a time, to {@code each} until {@code max} have gone. */
    private static void tokens(Path file, Tokenizer tok, long max, IntConsumer each) {
        long used = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while (used < max && (line = in.readLine()) != null) {
                for (int t : tok.encode(line + "\n", false, false)) {
                    each.accept(t);
                    if (++used == max) break;
                }
            }
        } catch (IOException e) {
            throw new LoupeException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
