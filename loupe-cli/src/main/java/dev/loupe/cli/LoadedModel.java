package dev.loupe.cli;

import dev.loupe.core.model.KvFormat;
import dev.loupe.core.model.KvOffload;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;

/** A model, its tokenizer and a thread pool, opened together and closed together. */
record LoadedModel(Model model, Tokenizer tokenizer, ThreadPool pool, int contextSize) implements AutoCloseable {

    static LoadedModel open(ModelOptions o) {
        Model m = Model.load(o.resolveModel(), o.loraSpecs(), o.ropeOverride());
        try {
            Tokenizer t = Tokenizer.fromMetadata(m.file().metadata());
            // With RoPE stretched by a flag, the default context is the stretched one (still capped by contextSize).
            int trained = m.config().contextLength();
            int usable = o.ropeOverride() == null ? trained : m.config().ropeScaling().extendedContext(trained);
            return new LoadedModel(m, t, new ThreadPool(o.threads()), o.contextSize(usable));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    Session newSession() {
        return new Session(model, contextSize, pool);
    }

    /** A session whose KV cache stores keys and values as {@code kv} says. */
    Session newSession(KvFormat kv) {
        return new Session(model, contextSize, pool, kv);
    }

    /** A session whose KV cache stores keys and values as {@code kv} says, beyond {@code offload}'s budget on disk (null: none). */
    Session newSession(KvFormat kv, KvOffload offload) {
        return new Session(model, contextSize, pool, kv, offload);
    }

    @Override
    public void close() {
        pool.close();
        model.close();
    }
}
