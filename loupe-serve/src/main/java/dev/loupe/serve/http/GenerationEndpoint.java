package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

/**
 * What the two OpenAI generation endpoints ({@code /v1/chat/completions}, {@code /v1/completions}) share: the
 * generation front, the JSON mapper, logprobs rendering for the served tokenizer, and the check that a request names
 * the served model.
 */
abstract sealed class GenerationEndpoint permits ChatCompletionsApi, CompletionsApi {
    final Generation generation;
    final ObjectMapper json;
    final LogprobsJson logprobs;
    private final OpenAiApi models;

    GenerationEndpoint(Generation generation, ObjectMapper json, OpenAiApi models) {
        this.generation = generation;
        this.json = json;
        this.logprobs = new LogprobsJson(generation.model().tokenizer());
        this.models = models;
    }

    /** The request body, once it is known to name the served model (or none). */
    final Body body(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        models.check(b.string("model", null));
        return b;
    }
}
