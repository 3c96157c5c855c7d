package dev.loupe.data.dedup;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

import java.util.Set;

/** The plan of a document-level dedup: drop exactly these documents. */
public record DropKeys(String name, String reason, Set<DocKey> drop) implements DocStep {
    @Override
    public Outcome apply(Document doc, Counters c) {
        return drop.contains(doc.key()) ? Outcome.drop(reason) : Outcome.keep(doc);
    }
}
