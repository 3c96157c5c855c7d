package dev.loupe.serve;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.serve.engine.KvBudget;
import dev.loupe.serve.engine.Scheduler;
import dev.loupe.serve.http.HttpServer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A running server: the model, its scheduler and the HTTP front, started together and closed together. */
public final class LoupeServer implements AutoCloseable {
    private final Model model;
    private final ThreadPool pool;
    private final Scheduler scheduler;
    private final HttpServer http;
    private final ServedModel served;

    private LoupeServer(ServerOptions o, Path path, Map<String, Steering.Term> steering) {
        this.model = Model.load(path);
        try {
            for (Map.Entry<String, Steering.Term> e : steering.entrySet()) {
                try {
                    Steering.of(List.of(e.getValue())).check(model.config().layers(), model.config().dim());
                } catch (LoupeException x) {
                    throw new LoupeException("steering vector '" + e.getKey() + "': " + x.getMessage());
                }
            }
            this.served = ServedModel.of(ModelCatalog.nameOf(path), path, model, o.chatTemplate());
            this.pool = new ThreadPool(o.threads());
            KvBudget kv = KvBudget.plan(model.config(), o.kvFormat(), o.parallel(), o.contextLength(), o.kvMemory(), KvBudget.availableMemory());
            this.scheduler = new Scheduler(model, served.tokenizer(), pool, o.parallel(), kv.contextLength(), kv.blocks(),
                    o.maxQueue(), o.prefillChunk(), o.kvFormat());
            this.http = new HttpServer(served, scheduler, new ModelCatalog(o.modelsDir()), o.host(), o.port(), o.apiKey(), steering).start();
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Loads the model ({@code options.model()}: a file, or a name in the models folder) and starts listening. */
    public static LoupeServer start(ServerOptions options) {
        return start(options, Map.of());
    }

    /**
     * As {@link #start(ServerOptions)}, with steering vectors requests may name (each at coefficient 1); one that
     * does not fit the model (width, layer) is a user error at start-up.
     */
    public static LoupeServer start(ServerOptions options, Map<String, Steering.Term> steering) {
        return new LoupeServer(options, new ModelCatalog(options.modelsDir()).resolve(options.model()), steering);
    }

    public int port() {
        return http.port();
    }

    public ServedModel model() {
        return served;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        http.close();
        scheduler.close();
        pool.close();
        model.close();
    }
}
