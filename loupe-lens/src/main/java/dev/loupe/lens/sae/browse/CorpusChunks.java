package dev.loupe.lens.sae.browse;

import dev.loupe.core.LoupeException;
import dev.loupe.core.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

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
        int n = prefix;
        long used = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while (used < maxTokens && (line = in.readLine()) != null) {
                for (int t : tok.encode(line + "\n", false, false)) {
                    buf[n++] = t;
                    if (n == length) {
                        each.accept(buf.clone());
                        n = prefix;
                    }
                    if (++used == maxTokens) break;
                }
            }
        } catch (IOException e) {
            throw new LoupeException("cannot read " + file + ": " + e.getMessage());
        }
        if (n - prefix >= 2) each.accept(Arrays.copyOf(buf, n));  // the corpus (or the budget) ended part way through one
    }
}
