package dev.loupe.data.step;

import dev.loupe.data.Document;

/** A step that decides about each document on its own. Must be thread-safe and deterministic. */
public non-sealed interface DocStep extends Step {
    Outcome apply(Document doc, Counters counters);
}
