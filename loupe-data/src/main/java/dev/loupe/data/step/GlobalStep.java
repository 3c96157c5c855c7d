package dev.loupe.data.step;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;

import java.io.Serializable;
import java.util.List;

/**
 * A step that needs the whole corpus: first every document's small {@code signature} is computed (in parallel,
 * per shard), then {@link #plan} sees all of them in key order and returns the per-document step that carries the
 * decision out. Splitting it this way is what lets the same dedup run on threads or on Spark, and lets a resumed
 * run reuse the saved plan.
 */
public non-sealed interface GlobalStep<S extends Serializable> extends Step {
    S signature(Document doc);

    DocStep plan(List<Signed<S>> signatures, Counters counters);

    record Signed<S extends Serializable>(DocKey key, S signature) implements Serializable {}
}
