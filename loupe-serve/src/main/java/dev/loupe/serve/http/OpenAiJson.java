package dev.loupe.serve.http;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/** The OpenAI API's response objects, as records; the mapper writes their names in snake_case. */
final class OpenAiJson {
    private OpenAiJson() {}

    record Usage(int promptTokens, int completionTokens, int totalTokens, PromptDetails promptTokensDetails) {
        static Usage of(dev.loupe.serve.engine.Event.Finished f) {
            return new Usage(f.promptTokens(), f.completionTokens(), f.promptTokens() + f.completionTokens(),
                    new PromptDetails(f.cachedTokens()));
        }
    }

    record PromptDetails(int cachedTokens) {}

    /** llama-server's non-standard speed report, which the web page shows. */
    record Timings(int promptN, double promptMs, int predictedN, double predictedMs, double predictedPerSecond) {
        static Timings of(dev.loupe.serve.engine.Event.Finished f) {
            double genMs = f.genNanos() / 1e6;
            int n = f.completionTokens();
            return new Timings(f.promptTokens() - f.cachedTokens(), f.promptNanos() / 1e6, n, genMs,
                    n > 1 && genMs > 0 ? (n - 1) * 1000.0 / genMs : 0);
        }
    }

    /** {@code content} is written even when null (a tool-call reply); {@code tool_calls} only when there are some. */
    record Message(String role, String content, @JsonInclude(JsonInclude.Include.NON_NULL) List<ToolCall> toolCalls) {
        Message(String role, String content) {
            this(role, content, null);
        }
    }

    record ToolCall(String id, String type, FunctionCall function) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FunctionCall(String name, String arguments) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content, List<ToolCallDelta> toolCalls) {
        Delta(String role, String content) {
            this(role, content, null);
        }
    }

    /** A streamed piece of a tool call: the first carries id, type and name; later ones add argument text. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolCallDelta(int index, String id, String type, FunctionCall function) {}

    record ChatChoice(int index, Message message, ChatLogprobs logprobs, String finishReason) {}

    record ChatChunkChoice(int index, Delta delta, ChatLogprobs logprobs, String finishReason) {}

    record ChatCompletion(String id, String object, long created, String model, String systemFingerprint,
                          List<ChatChoice> choices, Usage usage, Timings timings) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChatChunk(String id, String object, long created, String model, String systemFingerprint,
                     List<ChatChunkChoice> choices, Usage usage, Timings timings) {}

    record ChatLogprobs(List<TokenLogprob> content) {}

    record TokenLogprob(String token, float logprob, int[] bytes, List<TopLogprob> topLogprobs) {}

    record TopLogprob(String token, float logprob, int[] bytes) {}

    record TextChoice(String text, int index, TextLogprobs logprobs, String finishReason) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TextCompletion(String id, String object, long created, String model, String systemFingerprint,
                          List<TextChoice> choices, Usage usage, Timings timings) {}

    /** The legacy completions API's logprobs: parallel arrays, alternatives as token-to-logprob maps. */
    record TextLogprobs(List<String> tokens, List<Float> tokenLogprobs, List<Map<String, Float>> topLogprobs,
                        List<Integer> textOffset) {}

    record ModelCard(String id, String object, long created, String ownedBy) {}

    record ModelList(String object, List<ModelCard> data) {}
}
