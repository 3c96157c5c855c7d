package dev.loupe.data.pii;

import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** Replaces emails, phones, IPs, cards, IBANs and secrets with typed placeholders, counting each kind. */
public record PiiRedactor(String name) implements DocStep {
    private static final PiiDetector DETECTOR = new PiiDetector();

    public PiiRedactor {
        name = name == null ? "pii" : name;
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        Map<PiiKind, Integer> found = new EnumMap<>(PiiKind.class);
        String t = DETECTOR.redact(doc.text(), found);
        found.forEach((k, n) -> c.add("pii:" + k.name().toLowerCase(Locale.ROOT), n));
        return Outcome.keep(found.isEmpty() ? doc : doc.withText(t));
    }
}
