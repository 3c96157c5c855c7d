package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.loupe.core.hook.Steering;
import dev.loupe.serve.ModelCatalog;
import dev.loupe.serve.ServedModel;
import dev.loupe.serve.engine.Scheduler;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP front: Javalin (Jetty) with a virtual thread per request, so a handler can simply block on its
 * generation's events while the scheduler thread computes. Routes live in one class per API.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpServer.class.getName());

    private final Javalin app;

    public HttpServer(ServedModel model, Scheduler scheduler, ModelCatalog catalog, String host, int port, String apiKey) {
        this(model, scheduler, catalog, host, port, apiKey, Map.of());
    }

    /** @param steering the vectors requests may name in their {@code steering} field, each at coefficient 1 */
    public HttpServer(ServedModel model, Scheduler scheduler, ModelCatalog catalog, String host, int port, String apiKey,
                      Map<String, Steering.Term> steering) {
        ObjectMapper json = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Generation generation = new Generation(model, scheduler, steering);
        OpenAiApi openAi = new OpenAiApi(generation, json);
        OllamaApi ollama = new OllamaApi(generation, catalog, json);
        TokenApi tokens = new TokenApi(model.tokenizer(), json);
        EmbeddingsApi embeddings = new EmbeddingsApi(model, scheduler, json, openAi, ollama);
        this.app = Javalin.create(cfg -> {
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            // Compression would buffer the token stream; responses are small anyway.
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.jsonMapper(new JavalinJackson(json, true));
            cfg.staticFiles.add("/public", Location.CLASSPATH);
            cfg.routes.before(ClientConnection::attach);
            cfg.routes.after(ctx -> ClientConnection.detach());
            if (apiKey != null && !apiKey.isEmpty()) cfg.routes.before(new ApiKeyCheck(apiKey));
            cfg.routes.exception(ApiError.class, (e, ctx) -> ErrorResponses.write(ctx, e));
            cfg.routes.exception(ClientConnection.GoneException.class, (e, ctx) -> { }); // its sequence is cancelled
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(Level.WARNING, "request to " + ctx.path() + " failed", e);
                ErrorResponses.write(ctx, ApiError.internal("internal error: " + e));
            });
            cfg.routes.error(404, ctx -> {
                if (ctx.attribute(ErrorResponses.WRITTEN) == null) ErrorResponses.write(ctx, ApiError.notFound("no route " + ctx.method() + " " + ctx.path(), null));
            });
            cfg.routes.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(scheduler.metrics().render()));
            openAi.register(cfg.routes);
            ollama.register(cfg.routes);
            tokens.register(cfg.routes);
            embeddings.register(cfg.routes);
        });
    }

    public HttpServer start() {
        app.start();
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
