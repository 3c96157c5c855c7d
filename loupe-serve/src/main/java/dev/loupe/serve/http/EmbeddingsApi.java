package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.serve.ServedModel;
import dev.loupe.serve.engine.Embeddings;
import dev.loupe.serve.engine.Scheduler;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/embeddings} (OpenAI) and {@code POST /api/embed}, {@code POST /api/embeddings} (Ollama): mean-pooled,
 * unit-length final hidden states of the served model ({@link Embeddings}), computed on the scheduler thread between
 * decode steps.
 */
final class EmbeddingsApi {
    private static final long TIMEOUT_SECONDS = 600;

    private final ServedModel model;
    private final Scheduler scheduler;
    private final ObjectMapper json;
    private final OpenAiApi models;
    private final OllamaApi ollama;

    EmbeddingsApi(ServedModel model, Scheduler scheduler, ObjectMapper json, OpenAiApi models, OllamaApi ollama) {
        this.model = model;
        this.scheduler = scheduler;
        this.json = json;
        this.models = models;
        this.ollama = ollama;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/embeddings", this::openAi);
        routes.post("/api/embed", this::ollama);
        routes.post("/api/embeddings", this::ollamaLegacy);
    }

    record Item(String object, int index, Object embedding) {}

    record Usage(int promptTokens, int totalTokens) {}

    record OpenAiList(String object, List<Item> data, String model, Usage usage) {}

    record OllamaEmbed(String model, List<float[]> embeddings, long totalDuration, long loadDuration, int promptEvalCount) {}

    record OllamaLegacy(float[] embedding) {}

    private void openAi(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        models.check(b.string("model", null));
        String format = b.string("encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiError.badRequest("'encoding_format' must be float or base64", "encoding_format");
        }
        if (b.has("dimensions") && b.integer("dimensions", 0, 1, Integer.MAX_VALUE) != model.model().config().dim()) {
            throw ApiError.badRequest("'dimensions' must be the model's width, " + model.model().config().dim(), "dimensions");
        }
        List<int[]> inputs = openAiInputs(b.raw("input"));
        List<Item> data = new ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] e = embed(inputs.get(i), "input");
            tokens += inputs.get(i).length;
            data.add(new Item("embedding", i, format.equals("base64") ? base64(e) : e));
        }
        ctx.json(new OpenAiList("list", data, model.name(), new Usage(tokens, tokens)));
    }

    /** A string, an array of strings, an array of token ids, or an array of such arrays. */
    private List<int[]> openAiInputs(JsonNode in) {
        if (in == null || in.isNull()) throw ApiError.badRequest("'input' is required", "input");
        List<int[]> out = new ArrayList<>();
        if (in.isTextual()) out.add(text(in.asText()));
        else if (in.isArray() && !in.isEmpty() && in.get(0).isIntegralNumber()) out.add(ids(in));
        else if (in.isArray() && !in.isEmpty()) {
            for (JsonNode e : in) {
                if (e.isTextual()) out.add(text(e.asText()));
                else if (e.isArray()) out.add(ids(e));
                else throw ApiError.badRequest("'input' items must be strings or arrays of token ids", "input");
            }
        } else {
            throw ApiError.badRequest("'input' must be a string, an array of strings or an array of token ids", "input");
        }
        return out;
    }

    private void ollama(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        checkOllamaModel(b);
        long t0 = System.nanoTime();
        JsonNode in = b.raw("input");
        List<String> texts = new ArrayList<>();
        if (in != null && in.isTextual()) texts.add(in.asText());
        else if (in != null && in.isArray()) for (JsonNode e : in) texts.add(e.asText());
        else throw ApiError.badRequest("'input' must be a string or an array of strings");
        List<float[]> out = new ArrayList<>();
        int tokens = 0;
        for (String t : texts) {
            int[] ids = text(t);
            tokens += ids.length;
            out.add(embed(ids, "input"));
        }
        ctx.json(new OllamaEmbed(model.name(), out, System.nanoTime() - t0, 0, tokens));
    }

    /** Ollama's older route: one {@code prompt}, one {@code embedding}. */
    private void ollamaLegacy(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        checkOllamaModel(b);
        ctx.json(new OllamaLegacy(embed(text(b.requiredString("prompt")), "prompt")));
    }

    private void checkOllamaModel(Body b) {
        ollama.model(b.string("model", null));
    }

    private int[] text(String s) {
        if (s.isEmpty()) throw ApiError.badRequest("an input is empty", "input");
        return model.encodeText(s);
    }

    private int[] ids(JsonNode arr) {
        int vocab = model.tokenizer().vocabSize();
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            int id = arr.get(i).asInt(-1);
            if (!arr.get(i).isIntegralNumber() || id < 0 || id >= vocab) {
                throw ApiError.badRequest("token ids must be integers in [0, " + vocab + ")", "input");
            }
            out[i] = id;
        }
        if (out.length == 0) throw ApiError.badRequest("an input is empty", "input");
        return out;
    }

    private float[] embed(int[] ids, String field) {
        int ctx = scheduler.contextLength();
        if (ids.length > ctx) {
            throw ApiError.badRequest("the input has " + ids.length + " tokens but the context holds " + ctx
                    + " tokens; shorten it or start the server with a larger --ctx", field);
        }
        try {
            return scheduler.onEngine(engine -> Embeddings.meanPooled(engine, model.model(), ids)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted");
        } catch (ExecutionException e) {
            throw ApiError.internal("embedding failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw ApiError.internal("embedding timed out after " + TIMEOUT_SECONDS + " s");
        }
    }

    /** OpenAI's base64 encoding: the float32 values, little-endian, as one base64 string. */
    static String base64(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) buf.putFloat(f);
        return Base64.getEncoder().encodeToString(buf.array());
    }
}
