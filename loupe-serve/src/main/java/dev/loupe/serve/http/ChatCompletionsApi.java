package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.sample.constrain.JsonSchema;
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

/** {@code POST /v1/chat/completions}: a conversation through the model's chat template, whole or as SSE chunks. */
final class ChatCompletionsApi {
    private final Generation generation;
    private final ObjectMapper json;
    private final LogprobsJson logprobs;
    private final OpenAiApi models;

    ChatCompletionsApi(Generation generation, ObjectMapper json, OpenAiApi models) {
        this.generation = generation;
        this.json = json;
        this.logprobs = new LogprobsJson(generation.model().tokenizer());
        this.models = models;
    }

    void handle(Context ctx) throws IOException {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        models.check(b.string("model", null));
        List<ChatMessage> messages = ChatMessages.parse(b);
        int top = b.bool("logprobs", false) ? (int) b.integer("top_logprobs", 0, 0, SamplingFields.MAX_TOP_LOGPROBS) : 0;
        // Logprobs of the chosen token come with any request for logprobs; the calculator needs at least one.
        SamplingParams params = SamplingFields.openAi(b, -1, b.bool("logprobs", false) ? Math.max(1, top) : 0);
        boolean stream = b.bool("stream", false);
        boolean usage = b.object("stream_options").bool("include_usage", false);
        Tools tools = Tools.parse(b, json);
        JsonSchema schema = Tools.outputSchema(tools, ResponseFormats.openAi(b), "response_format");
        Ticket ticket = generation.submit(Tools.encode(tools, generation.model(), messages), params, "messages", false, schema,
                generation.steering(b));
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        String model = generation.model().name();
        if (tools != null) {
            replyWithTools(ctx, tools, ticket, stream, usage, id, created, model);
            return;
        }
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
            finishStream(out, id, created, model, r, reason(r.finished()), usage);
        } catch (ApiError e) {
            out.send(ErrorResponses.body(ctx.path(), e));
            out.done();
        }
    }

    /**
     * A tool-enabled reply is one constrained JSON value that says either "call" or "answer", so it is read whole
     * before anything is sent; a stream then gets the call as OpenAI streams one (id, type and name first, the
     * arguments after) or the answer as one content delta.
     */
    private void replyWithTools(Context ctx, Tools tools, Ticket ticket, boolean stream, boolean usage, String id,
                                long created, String model) throws IOException {
        Generation.Result r = generation.run(ticket);
        Tools.Reply reply = tools.read(r.text());
        Tools.Call call = reply.call();
        String finish = call != null ? "tool_calls" : reason(r.finished());
        if (!stream) {
            OpenAiJson.Message message = call == null ? new OpenAiJson.Message("assistant", reply.content())
                    : new OpenAiJson.Message("assistant", null, List.of(new OpenAiJson.ToolCall(call.id(), "function",
                            new OpenAiJson.FunctionCall(call.name(), call.arguments()))));
            ctx.json(new OpenAiJson.ChatCompletion(id, "chat.completion", created, model, FINGERPRINT,
                    List.of(new OpenAiJson.ChatChoice(0, message, null, finish)),
                    OpenAiJson.Usage.of(r.finished()), OpenAiJson.Timings.of(r.finished())));
            return;
        }
        EventStream out = EventStream.sse(ctx, json);
        out.send(chunk(id, created, model, new OpenAiJson.Delta("assistant", ""), null, null));
        if (call == null) {
            out.send(chunk(id, created, model, new OpenAiJson.Delta(null, reply.content()), null, null));
        } else {
            out.send(toolChunk(id, created, model, new OpenAiJson.ToolCallDelta(0, call.id(), "function",
                    new OpenAiJson.FunctionCall(call.name(), ""))));
            out.send(toolChunk(id, created, model, new OpenAiJson.ToolCallDelta(0, null, null,
                    new OpenAiJson.FunctionCall(null, call.arguments()))));
        }
        finishStream(out, id, created, model, r, finish, usage);
    }

    /** The last chunk (finish reason and timings), the usage chunk if asked for, and [DONE]. */
    private static void finishStream(EventStream out, String id, long created, String model, Generation.Result r,
                                     String finish, boolean usage) throws IOException {
        OpenAiJson.ChatChunk last = chunk(id, created, model, new OpenAiJson.Delta(null, null), null, finish);
        out.send(new OpenAiJson.ChatChunk(id, last.object(), created, model, FINGERPRINT, last.choices(), null,
                OpenAiJson.Timings.of(r.finished())));
        if (usage) {
            out.send(new OpenAiJson.ChatChunk(id, "chat.completion.chunk", created, model, FINGERPRINT, List.of(),
                    OpenAiJson.Usage.of(r.finished()), null));
        }
        out.done();
    }

    private static OpenAiJson.ChatChunk toolChunk(String id, long created, String model, OpenAiJson.ToolCallDelta call) {
        return chunk(id, created, model, new OpenAiJson.Delta(null, null, List.of(call)), null, null);
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
}
