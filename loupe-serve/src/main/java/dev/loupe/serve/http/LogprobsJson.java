package dev.loupe.serve.http;

import dev.loupe.core.sample.Logprobs;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.serve.engine.Event;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the scheduler's per-token logprobs into the two shapes the OpenAI API uses. */
final class LogprobsJson {
    private final Tokenizer tokenizer;

    LogprobsJson(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Chat's {@code logprobs.content}; null when no piece carries logprobs. */
    OpenAiJson.ChatLogprobs chat(List<Event.Piece> pieces) {
        List<OpenAiJson.TokenLogprob> content = new ArrayList<>();
        for (Event.Piece p : pieces) {
            if (p.logprobs() == null) continue;
            Logprobs lp = p.logprobs();
            List<OpenAiJson.TopLogprob> top = new ArrayList<>();
            for (Logprobs.TokenLogprob t : lp.top()) top.add(new OpenAiJson.TopLogprob(text(t.token()), t.logprob(), bytes(t.token())));
            content.add(new OpenAiJson.TokenLogprob(text(p.token()), lp.chosen().logprob(), bytes(p.token()), top));
        }
        return content.isEmpty() ? null : new OpenAiJson.ChatLogprobs(content);
    }

    /** Completions' parallel arrays; {@code offset} is where the first token's text starts in the response text (code points). */
    OpenAiJson.TextLogprobs text(List<Event.Piece> pieces, int offset) {
        List<String> tokens = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        List<Map<String, Float>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int at = offset;
        for (Event.Piece p : pieces) {
            if (p.logprobs() == null) continue;
            String t = text(p.token());
            tokens.add(t);
            logprobs.add(p.logprobs().chosen().logprob());
            tops.add(top(p.logprobs()));
            offsets.add(at);
            at += t.codePointCount(0, t.length());
        }
        return tokens.isEmpty() ? null : new OpenAiJson.TextLogprobs(tokens, logprobs, tops, offsets);
    }

    /**
     * A scored prompt in the same parallel arrays, offsets into {@link #echo} of the prompt (code points, as Python
     * servers count); the first token has null logprobs, as in OpenAI's echo.
     */
    OpenAiJson.TextLogprobs prompt(List<Event.PromptToken> tokens) {
        List<String> texts = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        List<Map<String, Float>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        // Token i starts where the echo of tokens[0..i) ends, which is what lm-evaluation-harness-style clients
        // rely on to find where a continuation starts in the prompt they sent.
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = tokens.get(i).token();
        for (int i = 0; i < ids.length; i++) {
            Event.PromptToken t = tokens.get(i);
            texts.add(text(t.token()));
            logprobs.add(t.logprobs() == null ? null : t.logprobs().chosen().logprob());
            tops.add(t.logprobs() == null ? null : top(t.logprobs()));
            String before = echo(Arrays.copyOf(ids, i));
            offsets.add(before.codePointCount(0, before.length()));
        }
        return new OpenAiJson.TextLogprobs(texts, logprobs, tops, offsets);
    }

    /**
     * The prompt's text as the client sent it (for prompts that round-trip through the tokenizer). Leading control
     * tokens (BOS) are left out of the decode: {@link Tokenizer#decode} follows llama_detokenize, where a leading
     * BOS uses up the removal of SentencePiece's dummy-prefix space, so "Question" would come back as " Question"
     * and every offset would be one past where the client's text has it.
     */
    String echo(int[] prompt) {
        int start = 0;
        while (start < prompt.length && tokenizer.isControl(prompt[start])) start++;
        return tokenizer.decode(Arrays.copyOfRange(prompt, start, prompt.length));
    }

    /** Two runs of completion logprobs as one (the echoed prompt, then the generated text). */
    static OpenAiJson.TextLogprobs concat(OpenAiJson.TextLogprobs a, OpenAiJson.TextLogprobs b) {
        if (b == null) return a;
        List<String> texts = new ArrayList<>(a.tokens());
        texts.addAll(b.tokens());
        List<Float> logprobs = new ArrayList<>(a.tokenLogprobs());
        logprobs.addAll(b.tokenLogprobs());
        List<Map<String, Float>> tops = new ArrayList<>(a.topLogprobs());
        tops.addAll(b.topLogprobs());
        List<Integer> offsets = new ArrayList<>(a.textOffset());
        offsets.addAll(b.textOffset());
        return new OpenAiJson.TextLogprobs(texts, logprobs, tops, offsets);
    }

    private Map<String, Float> top(Logprobs lp) {
        Map<String, Float> top = new LinkedHashMap<>();
        for (Logprobs.TokenLogprob alt : lp.top()) top.putIfAbsent(text(alt.token()), alt.logprob());
        return top;
    }

    private String text(int token) {
        return new String(tokenizer.tokenBytes(token, true), StandardCharsets.UTF_8);
    }

    private int[] bytes(int token) {
        byte[] b = tokenizer.tokenBytes(token, true);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xFF;
        return out;
    }
}
