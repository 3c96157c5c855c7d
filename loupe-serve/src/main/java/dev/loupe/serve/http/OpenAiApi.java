package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.serve.engine.Event;
import dev.loupe.serve.engine.Ticket;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * OpenAI's API: {@code /v1/chat/completions}, {@code /v1/completions} and {@code /v1/models}, whole or streamed as
 * server-sent events the way the official clients parse them.
 */
final class OpenAiApi {
    /** OpenAI's default for the legacy completions endpoint; chat has no limit but the context. */
    private static final int COMPLETIONS_DEFAULT_MAX_TOKENS = 16;
    private static final String FINGERPRINT = "loupe";

    private final Generation generation;
    private final ObjectMapper json;
    private final LogprobsJson logprobs;
    private final Instant started = Instant.now();

    OpenAiApi(Generation generation, ObjectMapper json) {
        this.generation = generation;
        this.json = json;
        this.logprobs = new LogprobsJson(generation.model().tokenizer());
    }

    void register(RoutesConfig r) {
        r.post("/v1/chat/completions", this::chat);
        r.post("/v1/completions", this::completions);
        r.get("/v1/models", this::models);
        r.get("/v1/models/{id}", ctx -> {
            checkModel(ctx.pathParam("id"));
            ctx.json(card());
        });
    }

    private void models(Context ctx) {
        ctx.json(new OpenAiJson.ModelList("list", List.of(card())));
    }

    private OpenAiJson.ModelCard card() {
        return new OpenAiJson.ModelCard(generation.model().name(), "model", started.getEpochSecond(), "loupe");
    }

    private void checkModel(String requested) {
        if (!generation.model().answersTo(requested)) {
            throw ApiError.notFound("the model '" + requested + "' does not exist here; this server runs '"
                    + generation.model().name() + "'", "model_not_found");
        }
    }

    private void chat(Context ctx) throws IOException {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        checkModel(b.string("model", null));
        List<ChatMessage> messages = messages(b);
        int top = b.bool("logprobs", false) ? (int) b.integer("top_logprobs", 0, 0, SamplingFields.MAX_TOP_LOGPROBS) : 0;
        // Logprobs of the chosen token come with any request for logprobs; the calculator needs at least one.
        SamplingParams params = SamplingFields.openAi(b, -1, b.bool("logprobs", false) ? Math.max(1, top) : 0);
        boolean stream = b.bool("stream", false);
        boolean usage = b.object("stream_options").bool("include_usage", false);
        Ticket ticket = generation.submit(generation.model().encodeChat(messages), params, "messages");
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        String model = generation.model().name();
        if (!stream) {
            Generation.Result r = generation.run(ticket);
            OpenAiJson.ChatLogprobs lp = params.logprobs() > 0 ? trim(logprobs.chat(r.pieces()), top) : null;
            ctx.json(new OpenAiJson.ChatCompletion(id, "chat.completion", created, model, FINGERPRINT,
                    List.of(new OpenAiJson.ChatChoice(0, new OpenAiJson.Message("assistant", r.text()), lp, reason(r.finished()))),
                    OpenAiJson.Usage.of(r.finished()), OpenAiJson.Timings.of(r.finished())));
            return;
        }
        EventStream out = EventStream.sse(ctx, json);
        try {
            out.send(chunk(id, created, model, new OpenAiJson.Delta("assistant", ""), null, null));
            Generation.Result r = generation.run(ticket, p -> {
                if (p.text().isEmpty() && p.logprobs() == null) return;
                OpenAiJson.ChatLogprobs lp = p.logprobs() != null ? trim(logprobs.chat(List.of(p)), top) : null;
                out.send(chunk(id, created, model, new OpenAiJson.Delta(null, p.text()), lp, null));
            });
            OpenAiJson.ChatChunk last = chunk(id, created, model, new OpenAiJson.Delta(null, null), null, reason(r.finished()));
            out.send(new OpenAiJson.ChatChunk(id, last.object(), created, model, FINGERPRINT, last.choices(), null,
                    OpenAiJson.Timings.of(r.finished())));
            if (usage) {
                out.send(new OpenAiJson.ChatChunk(id, "chat.completion.chunk", created, model, FINGERPRINT, List.of(),
                        OpenAiJson.Usage.of(r.finished()), null));
            }
            out.done();
        } catch (ApiError e) {
            out.send(ErrorResponses.body(ctx.path(), e));
            out.done();
        }
    }

    private static OpenAiJson.ChatChunk chunk(String id, long created, String model, OpenAiJson.Delta delta,
                                              OpenAiJson.ChatLogprobs lp, String finish) {
        return new OpenAiJson.ChatChunk(id, "chat.completion.chunk", created, model, FINGERPRINT,
                List.of(new OpenAiJson.ChatChunkChoice(0, delta, lp, finish)), null, null);
    }

    /** Chat reports only as many alternatives as top_logprobs asked for (0 is allowed there). */
    private static OpenAiJson.ChatLogprobs trim(OpenAiJson.ChatLogprobs lp, int top) {
        if (lp == null) return null;
        List<OpenAiJson.TokenLogprob> out = new ArrayList<>();
        for (OpenAiJson.TokenLogprob t : lp.content()) {
            out.add(new OpenAiJson.TokenLogprob(t.token(), t.logprob(), t.bytes(), t.topLogprobs().subList(0, Math.min(top, t.topLogprobs().size()))));
        }
        return new OpenAiJson.ChatLogprobs(out);
    }

    private void completions(Context ctx) throws IOException {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        checkModel(b.string("model", null));
        int[] prompt = prompt(b);
        int lp = (int) b.integer("logprobs", 0, 0, SamplingFields.MAX_TOP_LOGPROBS);
        boolean echo = b.bool("echo", false);
        // Echo with logprobs scores the prompt too: each prompt token's logprob given the ones before it.
        boolean score = echo && lp > 0;
        SamplingParams params = SamplingFields.openAi(b, COMPLETIONS_DEFAULT_MAX_TOKENS, lp);
        boolean stream = b.bool("stream", false);
        boolean usage = b.object("stream_options").bool("include_usage", false);
        String echoed = echo ? generation.model().tokenizer().decode(prompt) : "";
        Ticket ticket = generation.submit(prompt, params, "prompt", score);
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        String model = generation.model().name();
        if (!stream) {
            Generation.Result r = generation.run(ticket);
            OpenAiJson.TextLogprobs generated = lp > 0 ? logprobs.text(r.pieces(), echoed.length()) : null;
            OpenAiJson.TextLogprobs all = score ? LogprobsJson.concat(logprobs.prompt(r.prompt()), generated) : generated;
            ctx.json(new OpenAiJson.TextCompletion(id, "text_completion", created, model, FINGERPRINT,
                    List.of(new OpenAiJson.TextChoice(echoed + r.text(), 0, all, reason(r.finished()))),
                    OpenAiJson.Usage.of(r.finished()), OpenAiJson.Timings.of(r.finished())));
            return;
        }
        EventStream out = EventStream.sse(ctx, json);
        try {
            if (!echoed.isEmpty() && !score) out.send(textChunk(id, created, model, echoed, null, null));
            int[] offset = {echoed.length()};
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
                    offset[0] += p.text().length();
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

    /** Messages with string content, or content as an array of text parts (images are refused). */
    static List<ChatMessage> messages(Body b) {
        JsonNode m = b.raw("messages");
        if (m == null || !m.isArray() || m.isEmpty()) throw ApiError.badRequest("'messages' must be a non-empty array", "messages");
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode msg : m) {
            if (!msg.isObject() || !msg.path("role").isTextual()) {
                throw ApiError.badRequest("each message needs a string 'role'", "messages");
            }
            out.add(new ChatMessage(msg.get("role").asText(), content(msg.get("content"))));
        }
        return out;
    }

    private static String content(JsonNode c) {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            StringBuilder s = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.badRequest("only text content parts are supported", "messages");
                }
                s.append(part.get("text").asText());
            }
            return s.toString();
        }
        throw ApiError.badRequest("message 'content' must be a string or an array of text parts", "messages");
    }

    static String reason(Event.Finished f) {
        return f.reason().name().toLowerCase(java.util.Locale.ROOT);
    }
}
