package dev.loupe.data.filter;

import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Gopher's quality rules. Source: Rae et al. 2021, "Scaling Language Models: Methods, Analysis & Insights from
 * Training Gopher" (arXiv:2112.11446), section A.1.1 "MassiveWeb quality filters"; defaults as in datatrove's
 * GopherQualityFilter. A document is removed if it
 * <ul>
 * <li>has fewer than 50 or more than 100,000 words,</li>
 * <li>has a mean word length outside 3..10 characters,</li>
 * <li>has a symbol-to-word ratio above 0.1 for the hash symbol or for the ellipsis,</li>
 * <li>has more than 90% of lines starting with a bullet point, or more than 30% ending with an ellipsis,</li>
 * <li>has fewer than 80% of words containing an alphabetic character,</li>
 * <li>contains fewer than 2 of the stop words the, be, to, of, and, that, have, with.</li>
 * </ul>
 * Stop words are matched case-insensitively (the paper does not say; "The" is a stop word in any reading).
 */
public record GopherQualityFilter(String name, Integer minDocWords, Integer maxDocWords, Double minAvgWordLength,
                                  Double maxAvgWordLength, Double maxSymbolWordRatio, Double maxBulletLinesRatio,
                                  Double maxEllipsisLinesRatio, Double minAlphaWordsRatio, Integer minStopWords)
        implements DocStep {
    static final Set<String> STOP_WORDS = Set.of("the", "be", "to", "of", "and", "that", "have", "with");

    public GopherQualityFilter {
        name = name == null ? "gopher_quality" : name;
        minDocWords = minDocWords == null ? 50 : minDocWords;
        maxDocWords = maxDocWords == null ? 100_000 : maxDocWords;
        minAvgWordLength = minAvgWordLength == null ? 3.0 : minAvgWordLength;
        maxAvgWordLength = maxAvgWordLength == null ? 10.0 : maxAvgWordLength;
        maxSymbolWordRatio = maxSymbolWordRatio == null ? 0.1 : maxSymbolWordRatio;
        maxBulletLinesRatio = maxBulletLinesRatio == null ? 0.9 : maxBulletLinesRatio;
        maxEllipsisLinesRatio = maxEllipsisLinesRatio == null ? 0.3 : maxEllipsisLinesRatio;
        minAlphaWordsRatio = minAlphaWordsRatio == null ? 0.8 : minAlphaWordsRatio;
        minStopWords = minStopWords == null ? 2 : minStopWords;
    }

    public static GopherQualityFilter defaults() {
        return new GopherQualityFilter(null, null, null, null, null, null, null, null, null, null);
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        String text = doc.text();
        List<String> words = Text.words(text);
        int n = words.size();
        if (n < minDocWords) return Outcome.drop("gopher_short_doc");
        if (n > maxDocWords) return Outcome.drop("gopher_long_doc");
        double avg = words.stream().mapToInt(String::length).average().orElse(0);
        if (avg < minAvgWordLength) return Outcome.drop("gopher_below_avg_word_length");
        if (avg > maxAvgWordLength) return Outcome.drop("gopher_above_avg_word_length");
        if ((double) Text.count(text, "#") / n > maxSymbolWordRatio) return Outcome.drop("gopher_too_many_hashes");
        if ((double) (Text.count(text, "...") + Text.count(text, "…")) / n > maxSymbolWordRatio)
            return Outcome.drop("gopher_too_many_ellipsis");
        List<String> lines = text.lines().toList();
        long bullets = lines.stream().filter(l -> l.stripLeading().startsWith("•")).count();
        if ((double) bullets / lines.size() > maxBulletLinesRatio) return Outcome.drop("gopher_too_many_bullets");
        long ellipsisEnds = lines.stream().map(String::stripTrailing).filter(l -> l.endsWith("...") || l.endsWith("…")).count();
        if ((double) ellipsisEnds / lines.size() > maxEllipsisLinesRatio) return Outcome.drop("gopher_too_many_end_ellipsis");
        long alpha = words.stream().filter(Text::hasLetter).count();
        if ((double) alpha / n < minAlphaWordsRatio) return Outcome.drop("gopher_below_alpha_ratio");
        long stops = words.stream().filter(w -> STOP_WORDS.contains(w.toLowerCase(Locale.ROOT))).count();
        if (stops < minStopWords) return Outcome.drop("gopher_too_few_stop_words");
        return Outcome.keep(doc);
    }
}
