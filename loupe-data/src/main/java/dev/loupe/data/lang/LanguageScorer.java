package dev.loupe.data.lang;

import java.io.Serializable;
import java.util.Set;

/**
 * Names the most likely language of a text and the detector's confidence in it. Serializable so a step holding one
 * ships to Spark executors; the default is {@link OpenNlpLanguageScorer}, tests may pass a stub.
 */
public interface LanguageScorer extends Serializable {
    /** The best language of {@code text}, never null. */
    Guess best(CharSequence text);

    /** Codes this scorer can return (ISO 639-3 for OpenNLP), so a pipeline can reject an unknown code up front. */
    Set<String> supported();

    /** @param language ISO 639-3 code; @param confidence in [0, 1] */
    record Guess(String language, double confidence) {}
}
