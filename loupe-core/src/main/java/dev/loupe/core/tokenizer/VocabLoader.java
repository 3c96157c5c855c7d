package dev.loupe.core.tokenizer;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufStrings;
import dev.loupe.core.gguf.Metadata;
import dev.loupe.core.gguf.MetadataValue;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Builds a {@link Vocab} from {@code tokenizer.ggml.*} metadata the way llama_vocab::impl::load does,
 * including its text-based fix-ups: EOT/EOM/FIM detection, the end-of-generation set and the
 * attribute adjustments that later steer special-token splitting and rendering. Where llama.cpp walks
 * an unordered map to detect EOT and friends (so which of several candidates wins is unspecified), we
 * prefer the earlier text in its list: "<|eot_id|>" over "<|end_of_text|>", "<|im_end|>" over
 * "<|endoftext|>", which is what llama.cpp picks on the Llama 3, Qwen 2 and Phi-3 vocabularies.
 */
final class VocabLoader {
    private VocabLoader() {}

    private static final String PREFIX = "tokenizer.ggml.";

    private static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
            "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
            "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[");

    /**
     * @param defaults   special ids the model type assumes before metadata (index = {@link SpecialToken} ordinal, -1 = none)
     * @param addBos     add_bos before {@code tokenizer.ggml.add_bos_token} is read
     * @param addEos     add_eos before {@code tokenizer.ggml.add_eos_token} is read
     */
    static Vocab load(Metadata md, int[] defaults, boolean addBos, boolean addEos) {
        GgufStrings strings = tokenTexts(md);
        int n = strings.size();
        float[] scores = scores(md, n);
        int[] attrs = attributes(md, n);

        // Token texts are looked up by their bytes; decoding 128k strings into a HashMap was most of the load time.
        Map<String, Integer> renamedEmpty = new HashMap<>();
        for (int i = 0; i < n; i++) {
            if (strings.length(i) == 0) renamedEmpty.put(Vocab.emptyName(i), i); // as llama.cpp: the index stays one-to-one
        }
        Vocab ids = new Vocab(strings, new StringIndex(strings), renamedEmpty, scores, attrs, null, null, null, false, false);

        int[] special = specialIds(md, defaults, n);
        addBos = md.getBool(PREFIX + "add_bos_token", addBos);
        addEos = md.getBool(PREFIX + "add_eos_token", addEos);

        for (SpecialToken role : List.of(SpecialToken.EOT, SpecialToken.EOM, SpecialToken.FIM_PRE, SpecialToken.FIM_SUF,
                SpecialToken.FIM_MID, SpecialToken.FIM_PAD, SpecialToken.FIM_REP, SpecialToken.FIM_SEP)) {
            if (special[role.ordinal()] >= 0) continue;
            for (String text : role.knownTexts) {
                int id = ids.id(text);
                if (id >= 0) {
                    special[role.ordinal()] = id;
                    attrs[id] |= TokenAttr.CONTROL;
                    break;
                }
            }
        }

        // Control tokens named "unused" are placeholders, never text.
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & TokenAttr.CONTROL) != 0 && ids.text(i).contains("unused")) attrs[i] |= TokenAttr.UNUSED;
        }

        boolean[] eog = endOfGeneration(ids, attrs, special);

        // gpt-oss: these are always rendered, so llama.cpp forces them to user-defined.
        for (String t : List.of("<|channel|>", "<|message|>", "<|start|>", "<|constrain|>")) {
            int id = ids.id(t);
            if (id >= 0) attrs[id] = TokenAttr.USER_DEFINED;
        }

        int[] specialCache = IntStream.range(0, n)
                .filter(i -> (attrs[i] & (TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN)) != 0)
                .boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -ids.text(i).length()).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue)
                .toArray();

        perModelAttributes(md, ids, attrs, specialCache);
        return new Vocab(strings, ids.index(), renamedEmpty, scores, attrs, special, eog, specialCache, addBos, addEos);
    }

    /** A fresh table of special ids, all "none", for a model type to fill in its defaults. */
    static int[] noSpecials() {
        int[] ids = new int[SpecialToken.values().length];
        Arrays.fill(ids, -1);
        return ids;
    }

    private static GgufStrings tokenTexts(Metadata md) {
        String key = PREFIX + "tokens";
        if (!md.has(key)) throw new LoupeException("the model has no tokenizer vocabulary (metadata '" + key + "' is missing)");
        return md.getStrings(key);
    }

    private static float[] scores(Metadata md, int n) {
        String key = PREFIX + "scores";
        float[] scores = new float[n];
        MetadataValue v = md.get(key).orElse(null);
        if (v == null) return scores;
        Object raw = v.value();
        if (raw instanceof float[] f && f.length >= n) {
            System.arraycopy(f, 0, scores, 0, n);
        } else if (raw instanceof int[] a && a.length >= n) {
            for (int i = 0; i < n; i++) scores[i] = a[i];
        } else {
            throw new LoupeException("metadata '" + key + "' should be an array of at least " + n + " numbers");
        }
        return scores;
    }

    private static int[] attributes(Metadata md, int n) {
        String key = PREFIX + "token_type";
        int[] attrs = new int[n];
        if (!md.has(key)) {
            Arrays.fill(attrs, TokenAttr.NORMAL);
            return attrs;
        }
        int[] types = md.getIntArray(key);
        if (types.length < n) throw new LoupeException("metadata '" + key + "' has " + types.length + " entries for " + n + " tokens");
        for (int i = 0; i < n; i++) attrs[i] = TokenAttr.fromGgufType(types[i]);
        return attrs;
    }

    /** Defaults outside the vocabulary are dropped; a metadata id outside it is ignored (keeping the default). */
    private static int[] specialIds(Metadata md, int[] defaults, int n) {
        int[] special = new int[SpecialToken.values().length];
        for (SpecialToken role : SpecialToken.values()) {
            int id = defaults[role.ordinal()];
            if (id >= n) id = -1;
            for (String k : role.keys) {
                if (!md.has(PREFIX + k)) continue;
                long v = md.getLong(PREFIX + k) & 0xFFFFFFFFL; // stored as uint32
                if (v < n) id = (int) v;
            }
            special[role.ordinal()] = id;
        }
        return special;
    }

    private static boolean[] endOfGeneration(Vocab texts, int[] attrs, int[] special) {
        int n = texts.size();
        boolean[] eog = new boolean[n];
        for (SpecialToken role : List.of(SpecialToken.FIM_PAD, SpecialToken.FIM_REP, SpecialToken.FIM_SEP,
                SpecialToken.EOS, SpecialToken.EOT, SpecialToken.EOM)) {
            int id = special[role.ordinal()];
            if (id >= 0) eog[id] = true;
        }
        for (String text : EOG_TEXTS) {
            texts.forEachId(text, i -> {
                eog[i] = true;
                attrs[i] |= TokenAttr.CONTROL;
            });
        }
        // o200k_harmony and solar-open: "<|end|>" ends a message, not the generation.
        boolean hasReturn = false, hasCall = false, hasFlush = false;
        int end = -1, endOfSentence = -1;
        boolean hasToolResponse = false;
        for (int i = 0; i < n; i++) {
            if (!eog[i]) continue;
            switch (texts.text(i)) {
                case "<|return|>" -> hasReturn = true;
                case "<|call|>", "<|calls|>" -> hasCall = true;
                case "<|flush|>" -> hasFlush = true;
                case "<|end|>" -> end = i;
                case "<|tool_response>" -> hasToolResponse = true;
                case "</s>" -> endOfSentence = i;
                default -> { }
            }
        }
        if (end >= 0 && ((hasReturn && hasCall) || (hasCall && hasFlush))) {
            eog[end] = false;
            attrs[end] = TokenAttr.USER_DEFINED;
        }
        // Gemma 4 and PaddleOCR: "</s>" is ordinary text there.
        if (hasToolResponse && endOfSentence >= 0) {
            eog[endOfSentence] = false;
            attrs[endOfSentence] = TokenAttr.NORMAL;
        }
        return eog;
    }

    /** llama.cpp's by-name attribute fix-ups that affect how special tokens swallow adjacent spaces. */
    private static void perModelAttributes(Metadata md, Vocab ids, int[] attrs, int[] specialCache) {
        String name = md.getString("general.name", "").toLowerCase(Locale.ROOT);
        String pre = md.getString(PREFIX + "pre", "");
        String arch = md.getString("general.architecture", "");
        if (containsAny(pre, "jina-v2-de", "jina-v2-es", "jina-v2-code") || containsAny(arch, "nomic-bert-moe", "jina-bert-v3")) {
            set(ids, attrs, "<mask>", TokenAttr.LSTRIP, true);
        } else if (containsAny(name, "phi-3", "phi3")) {
            for (int id : specialCache) attrs[id] |= TokenAttr.RSTRIP;
            set(ids, attrs, "</s>", TokenAttr.RSTRIP, true);
            for (String t : List.of("<unk>", "<s>", "<|endoftext|>")) set(ids, attrs, t, TokenAttr.RSTRIP, false);
        } else if (containsAny(name, "modern-bert")) {
            set(ids, attrs, "[MASK]", TokenAttr.LSTRIP, true);
        }
    }

    private static void set(Vocab ids, int[] attrs, String text, int attr, boolean on) {
        int id = ids.id(text);
        if (id < 0) return;
        attrs[id] = on ? attrs[id] | attr : attrs[id] & ~attr;
    }

    private static boolean containsAny(String s, String... parts) {
        for (String p : parts) if (s.contains(p)) return true;
        return false;
    }
}
