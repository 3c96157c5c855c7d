package dev.loupe.data.lang;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.loupe.core.LoupeException;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Language identification, modelled on datatrove's {@code LanguageFilter} (the step FineWeb uses): annotates each
 * document with {@code language} (ISO 639-3) and {@code language_score}, then keeps it when the score reaches
 * {@code min_confidence} and, if {@code keep} is given, the language is one of those. Dropped documents are not
 * annotated. Counters: {@code kept_<lang>} and {@code removed_<lang>} per language; drop reasons
 * {@code other_language} and {@code low_confidence}.
 */
public record LanguageFilter(String name, List<String> keep, Double minConfidence,
                             @JsonIgnore LanguageScorer scorer) implements DocStep {
    /**
     * Not datatrove's 0.65: that threshold is calibrated for fastText's lid.176, whose scores on clean text sit near
     * 0.9+. OpenNLP's maxent spreads probability over 103 languages and its related neighbours (nld, nds, gsw, ast...),
     * so clean paragraphs score lower: 0.64 (English), 0.73 (German), 0.79 (Spanish), 0.81 (French) on this
     * module's test paragraphs, where 0.65 would drop the English one. 0.5 keeps those and still drops text whose
     * best guess is less likely than all other languages together (e.g. "This is a short one." scores 0.02).
     */
    public static final double DEFAULT_MIN_CONFIDENCE = 0.5;

    public LanguageFilter {
        name = name == null ? "language" : name;
        keep = keep == null ? List.of() : List.copyOf(keep);
        minConfidence = minConfidence == null ? DEFAULT_MIN_CONFIDENCE : minConfidence;
        if (!(minConfidence >= 0 && minConfidence <= 1))
            throw new LoupeException("language.min_confidence must be in [0, 1], got " + minConfidence);
        scorer = scorer == null ? OpenNlpLanguageScorer.INSTANCE : scorer;
        Set<String> unknown = new TreeSet<>(keep);
        unknown.removeAll(scorer.supported());
        if (!unknown.isEmpty())
            throw new LoupeException("language.keep: unknown language code(s) " + unknown
                    + "; use ISO 639-3 codes the model knows, e.g. eng, fra, deu, spa (all: " + scorer.supported() + ")");
    }

    /** The pipeline-file form: OpenNLP's scorer. */
    public LanguageFilter(String name, List<String> keep, Double minConfidence) {
        this(name, keep, minConfidence, null);
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        LanguageScorer.Guess g = scorer.best(doc.text());
        String lang = g.language();
        // keep lists are a handful of codes: a list scan beats hashing here.
        boolean wanted = keep.isEmpty() || keep.contains(lang);
        if (!wanted || g.confidence() < minConfidence) {
            c.inc("removed_" + lang);
            return Outcome.drop(wanted ? "low_confidence" : "other_language");
        }
        c.inc("kept_" + lang);
        // Rounded like the other annotations so output files stay readable and byte-stable across runners.
        double score = Math.round(g.confidence() * 10_000) / 10_000.0;
        return Outcome.keep(doc.with("language", lang).with("language_score", score));
    }
}
