package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.serve.engine.Event;
import dev.loupe.serve.engine.Ticket;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.loupe.serve.http.OpenAiApi.FINGERPRINT;
import static dev.loupe.serve.http.OpenAiApi.reason;

/**
 * {@code POST /v1/completions}: the legacy text completion, with logprobs and echo (scoring the prompt when both are
 * asked for), whole or as SSE chunks.
 */
final class CompletionsApi extends GenerationEndpoint {
    /** OpenAI's default for this endpoint; chat has no limit but the context. */
    private static final int DEFAULT_MAX_TOKENS = 16;

    CompletionsApi(Generation generation, ObjectMapper json, OpenAiApi models) {
        super(generation, json, models);
    }

    void handle(Context ctx) throws IOException {
        Body b = body(ctx);
        int[] prompt = prompt(b);
        int lp = (int) b.integer("logprobs", 0, 0, SamplingFields.MAX_TOP_LOGPROBS);
        boolean echo = b.bool("echo", false);
        // Echo with logprobs scores the prompt too: each prompt token's logprob given the ones before it.
        boolean score = echo && lp > 0;
        SamplingParams params = SamplingFields.openAi(b, DEFAULT_MAX_TOKENS, lp);
        boolean stream = b.bool("stream", false);
        boolean usage = b.object("stream_options").bool("include_usage", false);
        String echoed = echo ? logprobs.echo(prompt) : "";
        Ticket ticket = generation.submit(prompt, params, "prompt", score, null, generation.steering(b));
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        String model = generation.model().name();
        if (!stream) {
            Generation.Result r = generation.run(ticket);
            OpenAiJson.TextLogprobs generated = lp > 0 ? logprobs.text(r.pieces(), echoed.codePointCount(0, echoed.length())) : null;
            OpenAiJson.TextLogprobs all = score ? LogprobsJson.concat(logprobs.prompt(r.prompt()), generated) : generated;
            ctx.json(new OpenAiJson.TextCompletion(id, "text_completion", created, model, FINGERPRINT,
                    List.of(new OpenAiJson.TextChoice(echoed + r.text(), 0, all, reason(r.finished()))),
                    OpenAiJson.Usage.of(r.finished()), OpenAiJson.Timings.of(r.finished())));
            return;
        }
        EventStream out = EventStream.sse(ctx, json);
        try {
            if (!echoed.isEmpty() && !score) out.send(textChunk(id, created, model, echoed, null, null));
            int[] offset = {echoed.codePointCount(0, echoed.length())};
            List<Event.PromptToken> scored = new ArrayList<>();
            Generation.Result r = generation.run(ticket, new Generation.Listener() {
                @Override
                public void prompt(Event.PromptToken t) throws IOException {
                    scored.add(t);
                    if (scored.size() == prompt.length) out.send(textChunk(id, created, model, echoed, logprobs.prompt(scored), null));
                }

                @Override
                public void piece(Event.Piece p) throws IOException {
                    if (p.text().isEmpty() && p.logprobs() == null) return;
                    out.send(textChunk(id, created, model, p.text(), p.logprobs() != null ? logprobs.text(List.of(p), offset[0]) : null, null));
                    offset[0] += p.text().codePointCount(0, p.text().length());
                }
            });
            out.send(new OpenAiJson.TextCompletion(id, "text_completion", created, model, FINGERPRINT,
                    List.of(new OpenAiJson.TextChoice("", 0, null, reason(r.finished()))),
                    usage ? OpenAiJson.Usage.of(r.finished()) : null, OpenAiJson.Timings.of(r.finished())));
            out.done();
        } catch (ApiError e) {
            out.send(ErrorResponses.body(ctx.path(), e));
            out.done();
        }
    }

    private static OpenAiJson.TextCompletion textChunk(String id, long created, String model, String text,
                                                       OpenAiJson.TextLogprobs lp, String finish) {
        return new OpenAiJson.TextCompletion(id, "text_completion", created, model, FINGERPRINT,
                List.of(new OpenAiJson.TextChoice(text, 0, lp, finish)), null, null);
    }

    /** A prompt string, a one-element array of strings, or an array of token ids. */
    private int[] prompt(Body b) {
        JsonNode p = b.raw("prompt");
        if (p == null) throw ApiError.badRequest("'prompt' is required", "prompt");
        if (p.isTextual()) return generation.model().encodeText(p.asText());
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) return generation.model().encodeText(p.get(0).asText());
        if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            int[] ids = b.ints("prompt");
            int vocab = generation.model().tokenizer().vocabSize();
            for (int id : ids) if (id < 0 || id >= vocab) throw ApiError.badRequest("token id " + id + " is outside the vocabulary (size " + vocab + ")", "prompt");
            return ids;
        }
        throw ApiError.badRequest("'prompt' must be a string, one string in an array, or an array of token ids (batches of prompts are not supported)", "prompt");
    }
}
