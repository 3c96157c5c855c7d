package dev.loupe.core.tokenizer;

import dev.loupe.core.gguf.GgufStrings;

import java.util.Map;

/**
 * A loaded vocabulary: token texts, scores and attributes, the text-to-id index, special token ids,
 * the end-of-generation set and the special tokens to look for in input text. Immutable once built
 * by {@link VocabLoader}. Token texts stay UTF-8 bytes until one is asked for (see {@link GgufStrings}).
 */
final class Vocab {
    private final GgufStrings texts;
    private final StringIndex index;
    /** Empty token texts renamed "[EMPTY_i]" as llama.cpp does, by their new text (usually none). */
    private final Map<String, Integer> renamedEmpty;
    final float[] scores;
    final int[] attrs;
    private final int[] special;
    private final boolean[] eog;
    /** Control, user-defined and unknown tokens, longest text first: the order input is searched for them. */
    final int[] specialCache;
    final boolean addBos;
    final boolean addEos;

    Vocab(GgufStrings texts, StringIndex index, Map<String, Integer> renamedEmpty, float[] scores, int[] attrs,
          int[] special, boolean[] eog, int[] specialCache, boolean addBos, boolean addEos) {
        this.texts = texts;
        this.index = index;
        this.renamedEmpty = renamedEmpty;
        this.scores = scores;
        this.attrs = attrs;
        this.special = special;
        this.eog = eog;
        this.specialCache = specialCache;
        this.addBos = addBos;
        this.addEos = addEos;
    }

    int size() {
        return texts.size();
    }

    /** The token's text ("[EMPTY_i]" for an empty one, as llama.cpp names it). */
    String text(int id) {
        return texts.length(id) == 0 ? emptyName(id) : texts.get(id);
    }

    static String emptyName(int id) {
        return "[EMPTY_" + id + "]";
    }

    /** The id of a token text, or -1; of equal texts the last wins, as llama.cpp's map keeps the last insert. */
    int id(String text) {
        int id = text.isEmpty() ? -1 : index.highest(text);
        Integer renamed = renamedEmpty.isEmpty() ? null : renamedEmpty.get(text);
        return renamed != null && renamed > id ? renamed : id;
    }

    /** Every id whose text is {@code text} (duplicates included; "[EMPTY_i]" names are not searched). */
    void forEachId(String text, java.util.function.IntConsumer action) {
        if (!text.isEmpty()) index.forEach(text, action);
    }

    StringIndex index() {
        return index;
    }

    int special(SpecialToken role) {
        return special[role.ordinal()];
    }

    boolean isEog(int id) {
        return id >= 0 && id < eog.length && eog[id];
    }

    boolean has(int id, int attr) {
        return (attrs[id] & attr) != 0;
    }
}
