package dev.loupe.train.bpe;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.gguf.Metadata;
import dev.loupe.core.gguf.ValueType;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE vocabulary as GGUF stores it for {@code tokenizer.ggml.model = "gpt2"}: token spellings
 * (ids 0..255 are the single bytes, in byte order), merges in rank order ("left right"), and special tokens
 * at the end. Written with pre-tokenizer "gpt-2", whose splitting {@link Gpt2PreTokenizer} reproduces.
 *
 * @param tokens   spelling of every token id
 * @param merges   "left right" spellings, rank order
 * @param specials number of control tokens at the end of {@code tokens}; the first is {@code <|endoftext|>}
 */
public record BpeVocab(String[] tokens, String[] merges, int specials) {
    public static final String END_OF_TEXT = "<|endoftext|>";
    static final int TYPE_NORMAL = 1, TYPE_CONTROL = 3;

    public int size() {
        return tokens.length;
    }

    public int endOfText() {
        return tokens.length - specials;
    }

    /** The GGUF keys the engine's {@code Tokenizer.fromMetadata} reads; GPT-2 uses its end-of-text token as BOS and EOS. */
    public void writeTo(GgufWriter w) {
        int[] types = new int[tokens.length];
        for (int i = 0; i < types.length; i++) types[i] = i >= endOfText() ? TYPE_CONTROL : TYPE_NORMAL;
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", "gpt-2");
        w.putArray("tokenizer.ggml.tokens", ValueType.STRING, tokens);
        w.putArray("tokenizer.ggml.token_type", ValueType.INT32, types);
        w.putArray("tokenizer.ggml.merges", ValueType.STRING, merges);
        w.putUInt32("tokenizer.ggml.bos_token_id", endOfText());
        w.putUInt32("tokenizer.ggml.eos_token_id", endOfText());
        w.putBool("tokenizer.ggml.add_bos_token", false);
        w.putBool("tokenizer.ggml.add_eos_token", false);
    }

    /** A vocabulary-only GGUF, like llama.cpp's ggml-vocab-*.gguf files. */
    public void save(Path file) {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "loupe-bpe-" + tokens.length);
        writeTo(w);
        w.write(file);
    }

    public static BpeVocab load(Path file) {
        try (GgufFile f = GgufFile.open(file)) {
            return fromMetadata(f.metadata());
        }
    }

    public static BpeVocab fromMetadata(Metadata md) {
        if (!"gpt2".equals(md.getString("tokenizer.ggml.model", null))) {
            throw new LoupeException("not a byte-level BPE tokenizer (tokenizer.ggml.model must be gpt2)");
        }
        String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
        int[] types = md.getIntArray("tokenizer.ggml.token_type");
        int specials = 0;
        while (specials < types.length && types[types.length - 1 - specials] == TYPE_CONTROL) specials++;
        for (int b = 0; b < 256; b++) {
            if (!tokens[b].equals(String.valueOf(ByteLevel.of(b)))) throw new LoupeException("token " + b + " is not byte " + b + "; not a Loupe-trained vocabulary");
        }
        return new BpeVocab(tokens, md.getStringArray("tokenizer.ggml.merges"), specials);
    }

    /** Merge rank and result, keyed by the pair of token ids. */
    Map<Long, int[]> mergeTable() {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < tokens.length; i++) ids.putIfAbsent(tokens[i], i);
        Map<Long, int[]> table = new HashMap<>();
        for (int r = 0; r < merges.length; r++) {
            String m = merges[r];
            int sp = m.indexOf(' ');
            Integer a = ids.get(m.substring(0, sp)), b = ids.get(m.substring(sp + 1));
            Integer c = ids.get(m.substring(0, sp) + m.substring(sp + 1));
            if (a == null || b == null || c == null) throw new LoupeException("merge '" + m + "' refers to a token not in the vocabulary");
            table.putIfAbsent(pair(a, b), new int[]{r, c});
        }
        return table;
    }

    static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    public List<String> specialTokens() {
        return List.of(tokens).subList(endOfText(), tokens.length);
    }
}
