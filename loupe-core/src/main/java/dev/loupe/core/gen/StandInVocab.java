package dev.loupe.core.gen;

import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.gguf.ValueType;

import java.util.ArrayList;
import java.util.List;

/**
 * A small SentencePiece-style vocabulary of Loupe's own: the three control tokens, 256 byte-fallback
 * tokens, every printable ASCII character with and without the word-start mark, and a few hundred
 * frequent English word pieces. Enough for any text to tokenize (bytes cover the rest) and small
 * enough that a stand-in model stays a few hundred kilobytes.
 */
public final class StandInVocab {
    private static final String SPACE = "\u2581";
    private static final String[] WORDS = ("the of and to in is was he for it with as his on be at by that had not are but from "
            + "or have an they which one you were her all she there would their we him been has when who will more no if out so "
            + "said what up its about into than them can only other new some could time these two may then do first any my now "
            + "such like our over man me even most made after also did many before must through back years where much your way "
            + "well down should because each just those people how too little state good very make world still own see men work "
            + "long get here between both life being under never day same another know while last might us great old year off "
            + "come since against go came right used take three once upon king queen love night light house water").split(" ");

    private StandInVocab() {}

    /** Writes the {@code tokenizer.ggml.*} keys; returns the vocabulary size. */
    public static int writeTo(GgufWriter w) {
        List<String> tokens = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        tokens.add("<unk>");
        types.add(2); // UNKNOWN
        tokens.add("<s>");
        types.add(3); // CONTROL
        tokens.add("</s>");
        types.add(3);
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6); // BYTE
        }
        tokens.add(SPACE);
        types.add(1);
        for (char ch = 33; ch < 127; ch++) {
            tokens.add(String.valueOf(ch));
            types.add(1);
            tokens.add(SPACE + ch);
            types.add(1);
        }
        for (String word : WORDS) {
            // Every prefix must exist for SentencePiece merges to reach the whole word.
            for (int i = 2; i <= word.length(); i++) {
                String piece = SPACE + word.substring(0, i);
                if (!tokens.contains(piece)) {
                    tokens.add(piece);
                    types.add(1);
                }
            }
        }
        int n = tokens.size();
        float[] scores = new float[n];
        int[] typeArr = new int[n];
        for (int i = 0; i < n; i++) {
            // Longer pieces score higher so that merges prefer whole words.
            scores[i] = types.get(i) == 1 ? -1000f + tokens.get(i).length() * 10f - i * 1e-3f : 0f;
            typeArr[i] = types.get(i);
        }
        w.putString("tokenizer.ggml.model", "llama");
        w.putString("tokenizer.ggml.pre", "default");
        w.putArray("tokenizer.ggml.tokens", ValueType.STRING, tokens.toArray(String[]::new));
        w.putArray("tokenizer.ggml.scores", ValueType.FLOAT32, scores);
        w.putArray("tokenizer.ggml.token_type", ValueType.INT32, typeArr);
        w.putUInt32("tokenizer.ggml.bos_token_id", 1);
        w.putUInt32("tokenizer.ggml.eos_token_id", 2);
        w.putUInt32("tokenizer.ggml.unknown_token_id", 0);
        w.putBool("tokenizer.ggml.add_bos_token", true);
        w.putBool("tokenizer.ggml.add_eos_token", false);
        return n;
    }
}
