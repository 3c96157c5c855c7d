package dev.loupe.eval.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;

import java.net.URI;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link LanguageModel} over any OpenAI-compatible server. Log-likelihoods use the legacy completions endpoint with
 * {@code echo: true, logprobs: 1, max_tokens: 0} (as lm-evaluation-harness's openai-completions model): the server
 * returns the prompt's own tokens with their log-probabilities and offsets, and the continuation is every token
 * whose text reaches past the context's length (a token straddling the seam counts as continuation). Generation uses
 * chat/completions (one user message) or, with {@code chat=false}, raw completions.
 */
public final class OpenAiLanguageModel implements LanguageModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpJson http;
    private final String model;
    private final boolean chat;
    /** 0 as the harness sends; servers that refuse 0 (loupe-serve) get 1, and the generated token is ignored. */
    private volatile int scoringMaxTokens = 0;

    public OpenAiLanguageModel(HttpJson http, String model, boolean chat) {
        this.http = http;
        this.model = model;
        this.chat = chat;
    }

    public static OpenAiLanguageModel connect(String baseUrl, String model, boolean chat, String apiKey, HttpPolicy policy) {
        String b = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        URI uri;
        try {
            uri = URI.create(b);
        } catch (IllegalArgumentException e) {
            throw new LoupeException("bad server URL '" + baseUrl + "': " + e.getMessage());
        }
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) throw new LoupeException("server URL must be http(s): " + baseUrl);
        return new OpenAiLanguageModel(new HttpJson(uri, apiKey, policy, Sleeper.REAL), model, chat);
    }

    @Override
    public String name() {
        return model;
    }

    public HttpJson http() {
        return http;
    }

    @Override
    public LogLikelihood logLikelihood(String context, String continuation) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("prompt", context + continuation);
        body.put("echo", true);
        body.put("logprobs", 1);
        body.put("max_tokens", scoringMaxTokens);
        body.put("temperature", 0.0);
        JsonNode resp;
        try {
            resp = http.post("v1/completions", body);
        } catch (LoupeException e) {
            if (scoringMaxTokens != 0 || !e.getMessage().contains("HTTP 400") || !e.getMessage().contains("max_tokens")) throw e;
            scoringMaxTokens = 1;
            body.put("max_tokens", 1);
            resp = http.post("v1/completions", body);
        }
        JsonNode lp = resp.path("choices").path(0).path("logprobs");
        if (!lp.path("tokens").isArray() || !lp.path("token_logprobs").isArray() || !lp.path("text_offset").isArray()) {
            throw new LoupeException(model + ": the server's completions response has no echoed logprobs (tokens, token_logprobs, text_offset)");
        }
        String prompt = context + continuation;
        return fromEcho(lp, context.codePointCount(0, context.length()), prompt.codePointCount(0, prompt.length()));
    }

    /**
     * Sums the echoed log-probabilities of the continuation's tokens: from the first token whose text reaches past
     * {@code contextChars} (its span ends where the next token starts) up to {@code promptChars}; greedy if each was
     * the top-1. A token straddling the seam is the continuation's, as in {@code LocalLanguageModel}, which scores
     * from the first token where the encodings of context and context+continuation differ. Tokens from
     * {@code promptChars} on were generated, not part of the request.
     */
    static LogLikelihood fromEcho(JsonNode lp, int contextChars, int promptChars) {
        JsonNode offsets = lp.get("text_offset");
        int prompt = 0;  // echoed tokens that belong to the request
        while (prompt < offsets.size() && offsets.get(prompt).asInt() < promptChars) prompt++;
        double sum = 0;
        boolean greedy = true;
        int n = 0;
        for (int i = 0; i < prompt; i++) {
            int end = i + 1 < prompt ? offsets.get(i + 1).asInt() : promptChars;
            if (end <= contextChars) continue;
            JsonNode v = lp.get("token_logprobs").get(i);
            if (v == null || v.isNull()) continue;  // the very first token has no condition, so no log-prob
            sum += v.asDouble();
            n++;
            JsonNode top = lp.path("top_logprobs").path(i);
            if (top.isObject()) greedy &= top1(top).equals(lp.get("tokens").get(i).asText());
        }
        if (n == 0) throw new LoupeException("the server scored no continuation tokens (is the continuation empty?)");
        return new LogLikelihood(sum, greedy, n);
    }

    private static String top1(JsonNode top) {
        String best = null;
        double bestLp = Double.NEGATIVE_INFINITY;
        for (Iterator<Map.Entry<String, JsonNode>> it = top.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().asDouble() > bestLp) { bestLp = e.getValue().asDouble(); best = e.getKey(); }
        }
        return best == null ? "" : best;
    }

    @Override
    public Completion complete(String prompt, SamplingParams params, Consumer<String> onText) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        if (chat) {
            ArrayNode msgs = body.putArray("messages");
            msgs.addObject().put("role", "user").put("content", prompt);
        } else {
            body.put("prompt", prompt);
        }
        body.put("temperature", Math.max(0f, params.temperature()));
        if (params.topP() < 1f) body.put("top_p", params.topP());
        if (params.maxTokens() >= 0) body.put("max_tokens", params.maxTokens());
        if (params.seed() != SamplingParams.RANDOM_SEED) body.put("seed", params.seed());
        if (!params.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            // OpenAI accepts at most four; the rest are applied below, as the harness also truncates client-side.
            params.stop().stream().limit(4).forEach(stop::add);
        }
        JsonNode r = http.post(chat ? "v1/chat/completions" : "v1/completions", body);
        JsonNode c = r.path("choices").path(0);
        JsonNode textNode = chat ? c.path("message").path("content") : c.path("text");
        if (textNode.isMissingNode()) throw new LoupeException(model + ": the server's response has no completion text");
        String text = truncateAtStop(textNode.asText(), params);
        if (onText != null) onText.accept(text);
        return new Completion(text, r.path("usage").path("prompt_tokens").asInt(), r.path("usage").path("completion_tokens").asInt(),
                c.path("finish_reason").asText("stop"));
    }

    static String truncateAtStop(String text, SamplingParams params) {
        int cut = text.length();
        for (String s : params.stop()) {
            int i = text.indexOf(s);
            if (i >= 0) cut = Math.min(cut, i);
        }
        return text.substring(0, cut);
    }
}
