package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.gguf.Metadata;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.sample.constrain.JsonSchema;
import dev.loupe.serve.ModelCatalog;
import dev.loupe.serve.ServedModel;
import dev.loupe.serve.engine.Event;
import dev.loupe.serve.engine.Ticket;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ollama's API: {@code /api/generate} and {@code /api/chat} (streamed as NDJSON unless {@code "stream": false}),
 * {@code /api/tags} (the models folder), {@code /api/show}, {@code /api/ps} and {@code /api/version}.
 */
final class OllamaApi {
    static final String VERSION = "0.1.0";

    private final Generation generation;
    private final ModelCatalog catalog;
    private final ObjectMapper json;

    OllamaApi(Generation generation, ModelCatalog catalog, ObjectMapper json) {
        this.generation = generation;
        this.catalog = catalog;
        this.json = json;
    }

    void register(RoutesConfig r) {
        r.post("/api/generate", this::generate);
        r.post("/api/chat", this::chat);
        r.get("/api/tags", ctx -> ctx.json(new OllamaJson.Tags(tags())));
        r.post("/api/show", this::show);
        r.get("/api/ps", this::ps);
        r.get("/api/version", ctx -> ctx.json(new OllamaJson.Version(VERSION)));
    }

    private ServedModel model(Body b) {
        return model(b.string("model", null));
    }

    /** The served model if {@code requested} names it, else a 404 that says which model runs. */
    ServedModel model(String requested) {
        ServedModel m = generation.model();
        if (m.answersTo(requested)) return m;
        boolean inFolder = catalog.find(requested).isPresent();
        throw ApiError.notFound("model '" + requested + "' not found" + (inFolder
                ? "; it is in the models folder, but this server runs '" + m.name() + "' (restart with --model " + requested + ")"
                : "; this server runs '" + m.name() + "'"), "model_not_found");
    }

    private void generate(Context ctx) throws IOException {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        ServedModel m = model(b);
        String prompt = b.string("prompt", "");
        SamplingParams params = SamplingFields.ollama(b.object("options"));
        boolean stream = b.bool("stream", true);
        String now = Instant.now().toString();
        if (prompt.isEmpty()) {
            // Ollama answers an empty prompt by loading the model and reporting done; the model is already loaded.
            ctx.json(new OllamaJson.GenerateLine(m.name(), now, "", true, "load", null, null, null, null, null, null));
            return;
        }
        int[] ids;
        if (b.bool("raw", false)) ids = m.encodeText(prompt);
        else {
            List<ChatMessage> messages = new ArrayList<>();
            String system = b.string("system", null);
            if (system != null) messages.add(ChatMessage.system(system));
            messages.add(ChatMessage.user(prompt));
            ids = m.encodeChat(messages);
        }
        Ticket ticket = generation.submit(ids, params, "prompt", false, ResponseFormats.ollama(b), generation.steering(b.object("options")));
        if (!stream) {
            Generation.Result r = generation.run(ticket);
            ctx.json(generateLine(m.name(), r.text(), r.finished()));
            return;
        }
        EventStream out = EventStream.ndjson(ctx, json);
        try {
            Generation.Result r = generation.run(ticket, p -> {
                if (!p.text().isEmpty()) out.send(new OllamaJson.GenerateLine(m.name(), Instant.now().toString(), p.text(), false,
                        null, null, null, null, null, null, null));
            });
            out.send(generateLine(m.name(), "", r.finished()));
        } catch (ApiError e) {
            out.send(ErrorResponses.body(ctx.path(), e));
        }
    }

    private static OllamaJson.GenerateLine generateLine(String model, String text, Event.Finished f) {
        return new OllamaJson.GenerateLine(model, Instant.now().toString(), text, true, OpenAiApi.reason(f),
                f.queueNanos() + f.promptNanos() + f.genNanos(), 0L, f.promptTokens(), f.promptNanos(),
                f.completionTokens(), f.genNanos());
    }

    private void chat(Context ctx) throws IOException {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        ServedModel m = model(b);
        List<ChatMessage> messages = ChatMessages.parse(b);
        SamplingParams params = SamplingFields.ollama(b.object("options"));
        boolean stream = b.bool("stream", true);
        Tools tools = Tools.parse(b, json, m.template());
        JsonSchema schema = ResponseFormats.ollama(b);
        Tools.checkAlone(tools, schema, "format");
        if (tools != null) {
            Ticket ticket = generation.submit(tools.encode(m, messages), params, "messages", tools.grammar(),
                    generation.steering(b.object("options")));
            replyWithTools(ctx, m, tools.reader(m), ticket, stream);
            return;
        }
        Ticket ticket = generation.submit(m.encodeChat(messages), params, "messages", false, schema,
                generation.steering(b.object("options")));
        if (!stream) {
            Generation.Result r = generation.run(ticket);
            ctx.json(chatLine(m.name(), r.text(), r.finished()));
            return;
        }
        EventStream out = EventStream.ndjson(ctx, json);
        try {
            Generation.Result r = generation.run(ticket, p -> {
                if (!p.text().isEmpty()) out.send(new OllamaJson.ChatLine(m.name(), Instant.now().toString(),
                        new OllamaJson.Message("assistant", p.text()), false, null, null, null, null, null, null, null));
            });
            out.send(chatLine(m.name(), "", r.finished()));
        } catch (ApiError e) {
            out.send(ErrorResponses.body(ctx.path(), e));
        }
    }

    /**
     * A reply with tools, read as it is generated (see {@link ToolReplyReader}), in Ollama's shape: text streams as
     * content lines, each call comes whole in {@code message.tool_calls} (arguments as an object) once its arguments
     * are complete, then the closing line. Not streamed: one message with the text and every call.
     */
    private void replyWithTools(Context ctx, ServedModel m, ToolReplyReader reader, Ticket ticket, boolean stream) throws IOException {
        if (!stream) {
            Generation.Result r = generation.run(ticket, reader::piece);
            reader.finish();
            List<OllamaJson.ToolCall> calls = new ArrayList<>();
            for (ToolReplyReader.Call c : reader.calls()) calls.add(toolCall(c));
            ctx.json(chatLine(m.name(), new OllamaJson.Message("assistant", reader.content(), calls.isEmpty() ? null : calls), r.finished()));
            return;
        }
        EventStream out = EventStream.ndjson(ctx, json);
        try {
            Generation.Result r = generation.run(ticket, p -> send(out, m, reader, reader.piece(p)));
            send(out, m, reader, reader.finish());
            out.send(chatLine(m.name(), "", r.finished()));
        } catch (ApiError e) {
            out.send(ErrorResponses.body(ctx.path(), e));
        }
    }

    private static void send(EventStream out, ServedModel m, ToolReplyReader reader, List<ToolReplyReader.Part> parts) throws IOException {
        for (ToolReplyReader.Part part : parts) {
            OllamaJson.Message message = switch (part) {
                case ToolReplyReader.Part.Content c -> new OllamaJson.Message("assistant", c.text());
                case ToolReplyReader.Part.CallEnd e -> new OllamaJson.Message("assistant", "", List.of(toolCall(reader.calls().get(e.index()))));
                default -> null; // Ollama sends a call once it is whole
            };
            if (message != null) {
                out.send(new OllamaJson.ChatLine(m.name(), Instant.now().toString(), message, false, null, null, null, null, null, null, null));
            }
        }
    }

    private static OllamaJson.ToolCall toolCall(ToolReplyReader.Call c) {
        return new OllamaJson.ToolCall(new OllamaJson.Function(c.name(), Tools.argumentsObject(c.arguments())));
    }

    private static OllamaJson.ChatLine chatLine(String model, String text, Event.Finished f) {
        return chatLine(model, new OllamaJson.Message("assistant", text), f);
    }

    private static OllamaJson.ChatLine chatLine(String model, OllamaJson.Message message, Event.Finished f) {
        return new OllamaJson.ChatLine(model, Instant.now().toString(), message, true,
                OpenAiApi.reason(f), f.queueNanos() + f.promptNanos() + f.genNanos(), 0L, f.promptTokens(),
                f.promptNanos(), f.completionTokens(), f.genNanos());
    }

    private List<OllamaJson.Tag> tags() {
        List<OllamaJson.Tag> out = new ArrayList<>();
        ServedModel served = generation.model();
        boolean servedListed = false;
        for (ModelCatalog.Entry e : catalog.list()) {
            boolean isServed = e.path().toAbsolutePath().normalize().equals(served.path().toAbsolutePath().normalize());
            servedListed |= isServed;
            out.add(new OllamaJson.Tag(e.name() + ":latest", e.name() + ":latest", e.modified().toString(), e.size(),
                    digest(e), isServed ? details(served) : new OllamaJson.Details("", "gguf", "", List.of(), "", "")));
        }
        if (!servedListed) {
            ModelCatalog.Entry e = ModelCatalog.entry(served.path());
            out.addFirst(new OllamaJson.Tag(served.name() + ":latest", served.name() + ":latest", e.modified().toString(),
                    e.size(), digest(e), details(served)));
        }
        return out;
    }

    /** Not a content hash (that would read gigabytes per listing): a stable tag from name, size and time. */
    private static String digest(ModelCatalog.Entry e) {
        return String.format("%016x%016x", (e.name() + e.size()).hashCode() & 0xffffffffL, e.modified().toEpochMilli());
    }

    private void show(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        // Older Ollama clients send "name" instead of "model".
        ServedModel m = model(b.has("model") ? b.string("model", null) : b.string("name", null));
        Map<String, Object> info = new LinkedHashMap<>();
        Metadata md = m.model().file().metadata();
        for (var entry : md.asMap().entrySet()) {
            String key = entry.getKey();
            if (key.startsWith("tokenizer.ggml.")) continue; // vocabularies are huge; Ollama leaves them out too
            Object v = entry.getValue().value();
            if (v instanceof String || v instanceof Number || v instanceof Boolean) info.put(key, v);
        }
        ctx.json(new OllamaJson.Show("", "", m.template().source(), details(m), info,
                ModelCatalog.entry(m.path()).modified().toString()));
    }

    private void ps(Context ctx) {
        ServedModel m = generation.model();
        ModelCatalog.Entry e = ModelCatalog.entry(m.path());
        ctx.json(new OllamaJson.Ps(List.of(new OllamaJson.Running(m.name() + ":latest", m.name() + ":latest", e.size(),
                digest(e), details(m), "9999-12-31T23:59:59Z", 0))));
    }

    private static OllamaJson.Details details(ServedModel m) {
        Metadata md = m.model().file().metadata();
        String family = m.model().config().arch().name();
        String size = md.has("general.size_label") ? md.getString("general.size_label") : "";
        String quant = md.has("general.file_type") ? "file_type " + md.getInt("general.file_type") : "";
        return new OllamaJson.Details("", "gguf", family, List.of(family), size, quant);
    }
}
