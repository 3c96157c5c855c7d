package dev.loupe.data.step;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.loupe.data.dedup.ExactDedup;
import dev.loupe.data.dedup.LineDedup;
import dev.loupe.data.dedup.MinHashDedup;
import dev.loupe.data.filter.C4BadWordsFilter;
import dev.loupe.data.filter.C4QualityFilter;
import dev.loupe.data.filter.FineWebQualityFilter;
import dev.loupe.data.filter.GopherQualityFilter;
import dev.loupe.data.filter.GopherRepetitionFilter;
import dev.loupe.data.filter.LengthFilter;
import dev.loupe.data.filter.TextStatsAnnotator;
import dev.loupe.data.lang.LanguageFilter;
import dev.loupe.data.pii.PiiRedactor;
import dev.loupe.data.score.LearnabilityAnnotator;
import dev.loupe.data.select.DiversitySelection;
import dev.loupe.data.score.PerplexityAnnotator;

import java.io.Serializable;

/**
 * One pipeline step with one job. Two kinds: a {@link DocStep} looks at one document at a time (filters,
 * annotators, PII); a {@link GlobalStep} must see a signature of every document first (dedup). Steps are
 * serializable so the Spark runner can ship them to executors unchanged.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = LengthFilter.class, name = "length"),
        @JsonSubTypes.Type(value = TextStatsAnnotator.class, name = "text_stats"),
        @JsonSubTypes.Type(value = GopherQualityFilter.class, name = "gopher_quality"),
        @JsonSubTypes.Type(value = GopherRepetitionFilter.class, name = "gopher_repetition"),
        @JsonSubTypes.Type(value = C4QualityFilter.class, name = "c4_quality"),
        @JsonSubTypes.Type(value = C4BadWordsFilter.class, name = "c4_bad_words"),
        @JsonSubTypes.Type(value = FineWebQualityFilter.class, name = "fineweb_quality"),
        @JsonSubTypes.Type(value = LanguageFilter.class, name = "language"),
        @JsonSubTypes.Type(value = PiiRedactor.class, name = "pii"),
        @JsonSubTypes.Type(value = PerplexityAnnotator.class, name = "perplexity"),
        @JsonSubTypes.Type(value = LearnabilityAnnotator.class, name = "learnability"),
        @JsonSubTypes.Type(value = ExactDedup.class, name = "exact_dedup"),
        @JsonSubTypes.Type(value = MinHashDedup.class, name = "minhash_dedup"),
        @JsonSubTypes.Type(value = LineDedup.class, name = "line_dedup"),
        @JsonSubTypes.Type(value = DiversitySelection.class, name = "diversity")})
public sealed interface Step extends Serializable permits DocStep, GlobalStep {
    /** Name used in counters and reports; unique within a pipeline. */
    String name();
}
