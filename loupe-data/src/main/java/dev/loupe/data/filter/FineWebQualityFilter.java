package dev.loupe.data.filter;

import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

import java.util.List;

/**
 * FineWeb's additional rules. Source: Penedo et al. 2024, "The FineWeb Datasets" (arXiv:2406.17557), section
 * 3.6 "Developing additional heuristic filters", with thresholds from datatrove's FineWebQualityFilter. A
 * document is removed if
 * <ul>
 * <li>the fraction of lines ending in punctuation (. ' " ! ?) is at most 0.12 ({@code line_punct_ratio}),</li>
 * <li>the fraction of lines of at most 30 characters is at least 0.67 ({@code short_line_ratio}),</li>
 * <li>the characters in duplicated non-empty lines are at least 0.01 of all non-newline characters
 * ({@code char_dup_ratio}),</li>
 * <li>there are more than 0.3 newlines per word ({@code list_ratio}).</li>
 * </ul>
 */
public record FineWebQualityFilter(String name, Double linePunctThr, Double shortLineThr, Integer shortLineLength,
                                   Double charDuplicatesRatio, Double newLineRatio) implements DocStep {
    public FineWebQualityFilter {
        name = name == null ? "fineweb_quality" : name;
        linePunctThr = linePunctThr == null ? 0.12 : linePunctThr;
        shortLineThr = shortLineThr == null ? 0.67 : shortLineThr;
        shortLineLength = shortLineLength == null ? 30 : shortLineLength;
        charDuplicatesRatio = charDuplicatesRatio == null ? 0.01 : charDuplicatesRatio;
        newLineRatio = newLineRatio == null ? 0.3 : newLineRatio;
    }

    public static FineWebQualityFilter defaults() {
        return new FineWebQualityFilter(null, null, null, null, null, null);
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        String text = doc.text();
        List<String> lines = Text.lines(text);
        long punct = lines.stream().filter(l -> !l.isEmpty() && ".'\"!?".indexOf(l.charAt(l.length() - 1)) >= 0).count();
        if ((double) punct / lines.size() <= linePunctThr) return Outcome.drop("line_punct_ratio");
        long shortLines = lines.stream().filter(l -> l.length() <= shortLineLength).count();
        if ((double) shortLines / lines.size() >= shortLineThr) return Outcome.drop("short_line_ratio");
        List<String> nonEmpty = lines.stream().filter(l -> !l.isBlank()).toList();
        long chars = text.length() - Text.count(text, "\n");
        if (chars > 0 && (double) GopherRepetitionFilter.duplicates(nonEmpty)[1] / chars >= charDuplicatesRatio)
            return Outcome.drop("char_dup_ratio");
        int words = Text.words(text).size();
        if (words == 0 || (double) Text.count(text, "\n") / words > newLineRatio) return Outcome.drop("list_ratio");
        return Outcome.keep(doc);
    }
}
