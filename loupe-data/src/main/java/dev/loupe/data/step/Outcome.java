package dev.loupe.data.step;

import dev.loupe.data.Document;

/** What a step did with one document: kept it (perhaps changed) or dropped it for a named reason. */
public sealed interface Outcome {
    record Keep(Document doc) implements Outcome {}

    record Drop(String reason) implements Outcome {}

    static Outcome keep(Document d) {
        return new Keep(d);
    }

    static Outcome drop(String reason) {
        return new Drop(reason);
    }
}
