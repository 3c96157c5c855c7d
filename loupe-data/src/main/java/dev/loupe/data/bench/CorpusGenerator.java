package dev.loupe.data.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic English-like documents from a fixed seed: common words mixed with pseudo-words from a large syllable
 * space, so that word 5-grams of two independent documents practically never coincide. Used by tests and the
 * benchmark, and to plant near-duplicates of known Jaccard similarity.
 */
public final class CorpusGenerator {
    private static final String[] COMMON = ("the of and to in that is was he for it with as his on be at by had not are but from or have "
            + "an they which one you were her all she there would their we him been has when who will more no if out so said what "
            + "up its about into than them can only other new some could time these two may then do first any my now such like our "
            + "over man me even most made after also did many before must through back years where much your way well down should "
            + "because each just those people how too little state good very make world still own see men work long get here between "
            + "both life being under never day same another know while last might us great old year off come since against go came "
            + "right used take three").split(" ");
    private static final String[] SYLLABLES = ("ka ro mi te su lan ver po di na qua shi zo be le ter mon ga fi ru sel dor "
            + "ny ath um ob ix al en ce ho pre stra vin gle").split(" ");

    private final SplittableRandom rnd;

    public CorpusGenerator(long seed) {
        rnd = new SplittableRandom(seed);
    }

    private static final String[] STOP = {"the", "be", "to", "of", "and", "that", "have", "with"};

    /**
     * A word: a stop word 15% of the time (about their share in English), a common word 35%, otherwise a
     * pseudo-word of 2-4 syllables (~1.2M of them).
     */
    public String word() {
        int r = rnd.nextInt(20);
        if (r < 3) return STOP[rnd.nextInt(STOP.length)];
        if (r < 10) return COMMON[rnd.nextInt(COMMON.length)];
        return rareWord();
    }

    /** A pseudo-word only; documents of these share practically no shingles by chance. */
    public String rareWord() {
        int n = 2 + rnd.nextInt(3);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(SYLLABLES[rnd.nextInt(SYLLABLES.length)]);
        return b.toString();
    }

    /** A document of lines of sentences, each sentence ending in a period: passes the quality filters. */
    public String document(int minWords, int maxWords) {
        int target = minWords + rnd.nextInt(maxWords - minWords + 1);
        StringBuilder doc = new StringBuilder();
        int words = 0;
        while (words < target) {
            int sentences = 1 + rnd.nextInt(3);
            StringBuilder line = new StringBuilder();
            for (int s = 0; s < sentences && words < target; s++) {
                int len = 6 + rnd.nextInt(12);
                for (int i = 0; i < len; i++) {
                    String w = word();
                    if (i == 0) w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
                    line.append(w).append(i == len - 1 ? ". " : " ");
                }
                words += len;
            }
            if (!doc.isEmpty()) doc.append('\n');
            doc.append(line.toString().strip());
        }
        return doc.toString();
    }

    public List<String> rareWords(int n) {
        List<String> w = new ArrayList<>(n);
        for (int i = 0; i < n; i++) w.add(rareWord());
        return w;
    }

    /**
     * A copy of {@code words} whose word-{@code n}-gram set has Jaccard similarity as close as possible to
     * {@code s} with the original: the first k words are kept and the rest replaced by fresh ones. With T shingles
     * each, k - n + 1 shared shingles give J = shared / (2T - shared), so shared = 2Ts / (1 + s).
     */
    public List<String> nearDuplicate(List<String> words, double s, int n) {
        int t = words.size() - n + 1;
        int shared = (int) Math.round(2.0 * t * s / (1 + s));
        int keep = shared <= 0 ? 0 : shared + n - 1;
        List<String> out = new ArrayList<>(words.subList(0, Math.min(keep, words.size())));
        while (out.size() < words.size()) out.add(rareWord());
        return out;
    }

    public int nextInt(int bound) {
        return rnd.nextInt(bound);
    }

    public double nextDouble() {
        return rnd.nextDouble();
    }
}
