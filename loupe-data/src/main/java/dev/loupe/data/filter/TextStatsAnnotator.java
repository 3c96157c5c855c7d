package dev.loupe.data.filter;

import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

/** Annotates each document with its length in characters, words and lines (metadata {@code chars, words, lines}). */
public record TextStatsAnnotator(String name) implements DocStep {
    public TextStatsAnnotator {
        name = name == null ? "text_stats" : name;
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        String t = doc.text();
        int words = Text.words(t).size();
        int lines = Text.count(t, "\n") + 1;
        c.add("words", words);
        return Outcome.keep(doc.with("chars", t.length()).with("words", words).with("lines", lines));
    }
}
