package dev.loupe.cli;

import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;

/** A model, its tokenizer and a thread pool, opened together and closed together. */
record LoadedModel(Model model, Tokenizer tokenizer, ThreadPool pool, int contextSize) implements AutoCloseable {

    static LoadedModel open(ModelOptions o) {
        Model m = Model.load(o.resolveModel(), o.loraSpecs());
        try {
            Tokenizer t = Tokenizer.fromMetadata(m.file().metadata());
            return new LoadedModel(m, t, new ThreadPool(o.threads()), o.contextSize(m.config().contextLength()));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    Session newSession() {
        return new Session(model, contextSize, pool);
    }

    @Override
    public void close() {
        pool.close();
        model.close();
    }
}
