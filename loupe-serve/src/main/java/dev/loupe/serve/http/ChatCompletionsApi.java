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
final class ChatCompletionsApi extends GenerationEndpoint {
    ChatCompletionsApi(Generation generation, ObjectMapper json, OpenAiApi models) {
        super(generation, json, models);
    }

    void handle(Context ctx) throws IOException {
        Body b = body(ctx);
        List<ChatMessage> messages = ChatMessages.parse(b);
        int top = b.bool("logprobs", false) ? (int) b.integer("top_logprobs", 0, 0, SamplingFields.MAX_TOP_LOGPROBS) : 0;
        // Logprobs of the chosen token come with any request for logprobs; the calculator needs at least one.
        SamplingParams params = SamplingFields.openAi(b, -1, b.bool("logprobs", false) ? Math.max(1, top) : 0);
        boolean stream = b.bool("stream", false);
        boolean usage = b.object("stream_options").bool("include_usage", false);
        Tools tools = Tools.parse(b, json, generation.model().template());
        JsonSchema schema = ResponseFormats.openAi(b);
        Tools.checkAlone(tools, schema, "response_format");
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        String model = generation.model().name();
        if (tools != null) {
            Ticket ticket = generation.submit(tools.encode(generation.model(), messages), params, "messages", tools.grammar(),
                    generation.steering(b));
            replyWithTools(ctx, tools.reader(generation.model()), ticket, stream, usage, id, created, model);
            return;
        }
        Ticket ticket = generation.submit(generation.model().encodeChat(messages), params, "messages", false, schema,
                generation.steering(b));
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
     * A tool-enabled reply, read as it is generated (see {@link ToolReplyReader}): text streams as content, a call as
     * OpenAI streams one (a delta with index, id, type and name, then argument fragments as they come), and the
     * finish reason is "tool_calls" when the reply made calls. A whole reply is the same parts put together.
     */
    private void replyWithTools(Context ctx, ToolReplyReader reader, Ticket ticket, boolean stream, boolean usage, String id,
                                long created, String model) throws IOException {
        if (!stream) {
            Generation.Result r = generation.run(ticket, reader::piece);
            reader.finish();
            List<OpenAiJson.ToolCall> calls = new ArrayList<>();
            for (ToolReplyReader.Call c : reader.calls()) {
                calls.add(new OpenAiJson.ToolCall(c.id(), "function", new OpenAiJson.FunctionCall(c.name(), c.arguments())));
            }
            String content = reader.content();
            OpenAiJson.Message message = calls.isEmpty() ? new OpenAiJson.Message("assistant", content)
                    : new OpenAiJson.Message("assistant", content.isEmpty() ? null : content, calls);
            ctx.json(new OpenAiJson.ChatCompletion(id, "chat.completion", created, model, FINGERPRINT,
                    List.of(new OpenAiJson.ChatChoice(0, message, null, toolFinish(reader, r))),
                    OpenAiJson.Usage.of(r.finished()), OpenAiJson.Timings.of(r.finished())));
            return;
        }
        EventStream out = EventStream.sse(ctx, json);
        try {
            out.send(chunk(id, created, model, new OpenAiJson.Delta("assistant", ""), null, null));
            Generation.Result r = generation.run(ticket, p -> send(out, id, created, model, reader.piece(p)));
            send(out, id, created, model, reader.finish());
            finishStream(out, id, created, model, r, toolFinish(reader, r), usage);
        } catch (ApiError e) {
            out.send(ErrorResponses.body(ctx.path(), e));
            out.done();
        }
    }

    /** "tool_calls" when the reply called and was not cut off by a limit. */
    private static String toolFinish(ToolReplyReader reader, Generation.Result r) {
        String reason = reason(r.finished());
        return !reader.calls().isEmpty() && reason.equals("stop") ? "tool_calls" : reason;
    }

    private static void send(EventStream out, String id, long created, String model, List<ToolReplyReader.Part> parts) throws IOException {
        for (ToolReplyReader.Part part : parts) {
            switch (part) {
                case ToolReplyReader.Part.Content c -> out.send(chunk(id, created, model, new OpenAiJson.Delta(null, c.text()), null, null));
                case ToolReplyReader.Part.CallStart c -> out.send(toolChunk(id, created, model, new OpenAiJson.ToolCallDelta(c.index(),
                        c.id(), "function", new OpenAiJson.FunctionCall(c.name(), ""))));
                case ToolReplyReader.Part.Arguments a -> out.send(toolChunk(id, created, model, new OpenAiJson.ToolCallDelta(a.index(),
                        null, null, new OpenAiJson.FunctionCall(null, a.text()))));
                case ToolReplyReader.Part.CallEnd e -> { }
            }
        }
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
