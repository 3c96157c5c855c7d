package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.serve.engine.Event;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.List;

/**
 * OpenAI's API: {@code /v1/models} here, {@code /v1/chat/completions} and {@code /v1/completions} in their own
 * classes; what they share (the model check, finish reasons) lives here.
 */
final class OpenAiApi {
    static final String FINGERPRINT = "loupe";

    private final Generation generation;
    private final ChatCompletionsApi chat;
    private final CompletionsApi completions;
    private final Instant started = Instant.now();

    OpenAiApi(Generation generation, ObjectMapper json) {
        this.generation = generation;
        this.chat = new ChatCompletionsApi(generation, json, this);
        this.completions = new CompletionsApi(generation, json, this);
    }

    void register(RoutesConfig r) {
        r.post("/v1/chat/completions", chat::handle);
        r.post("/v1/completions", completions::handle);
        r.get("/v1/models", this::models);
        r.get("/v1/models/{id}", ctx -> {
            check(ctx.pathParam("id"));
            ctx.json(card());
        });
    }

    private void models(Context ctx) {
        ctx.json(new OpenAiJson.ModelList("list", List.of(card())));
    }

    private OpenAiJson.ModelCard card() {
        return new OpenAiJson.ModelCard(generation.model().name(), "model", started.getEpochSecond(), "loupe");
    }

    /** A 404 unless {@code requested} names the served model (or is empty). */
    void check(String requested) {
        if (!generation.model().answersTo(requested)) {
            throw ApiError.notFound("the model '" + requested + "' does not exist here; this server runs '"
                    + generation.model().name() + "'", "model_not_found");
        }
    }

    static String reason(Event.Finished f) {
        return f.reason().name().toLowerCase(java.util.Locale.ROOT);
    }
}
