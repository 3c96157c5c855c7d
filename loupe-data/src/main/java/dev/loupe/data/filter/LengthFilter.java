package dev.loupe.data.filter;

import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

/** Drops documents shorter or longer than a number of characters: the cheapest filter, so it goes first. */
public record LengthFilter(String name, Integer minChars, Integer maxChars) implements DocStep {
    public LengthFilter {
        name = name == null ? "length" : name;
        minChars = minChars == null ? 0 : minChars;
        maxChars = maxChars == null ? Integer.MAX_VALUE : maxChars;
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        int n = doc.text().length();
        if (n < minChars) return Outcome.drop("too_short");
        if (n > maxChars) return Outcome.drop("too_long");
        return Outcome.keep(doc);
    }
}
