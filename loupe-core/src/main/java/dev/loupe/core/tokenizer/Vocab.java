package dev.loupe.core.tokenizer;

import java.util.Map;

/**
 * A loaded vocabulary: token texts, scores and attributes, the text-to-id index, special token ids,
 * the end-of-generation set and the special tokens to look for in input text. Immutable once built
 * by {@link VocabLoader}.
 */
final class Vocab {
    final String[] texts;
    final float[] scores;
    final int[] attrs;
    private final Map<String, Integer> ids;
    private final int[] special;
    private final boolean[] eog;
    /** Control, user-defined and unknown tokens, longest text first: the order input is searched for them. */
    final int[] specialCache;
    final boolean addBos;
    final boolean addEos;

    Vocab(String[] texts, float[] scores, int[] attrs, Map<String, Integer> ids, int[] special, boolean[] eog,
          int[] specialCache, boolean addBos, boolean addEos) {
        this.texts = texts;
        this.scores = scores;
        this.attrs = attrs;
        this.ids = ids;
        this.special = special;
        this.eog = eog;
        this.specialCache = specialCache;
        this.addBos = addBos;
        this.addEos = addEos;
    }

    int size() {
        return texts.length;
    }

    /** The id of a token text, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
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
