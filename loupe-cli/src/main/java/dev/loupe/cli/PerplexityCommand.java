package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.context.ContextPolicy;
import dev.loupe.core.context.Perplexity;
import dev.loupe.core.model.KvFormat;
import dev.loupe.core.model.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "perplexity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Perplexity of a model on a text file, as llama.cpp's llama-perplexity computes it.",
                "Chunked (default): the text is cut into --ctx-size chunks, each run from an empty cache with BOS first,",
                "and the second half of each chunk is scored.",
                "Streaming (--stream): the text runs token by token through one KV cache of --ctx-size positions under",
                "--context-policy (StreamingLLM's evaluation), every token after the first scored.", ""},
        footer = {"", "Examples:",
                "  loupe perplexity -f input.txt --chunks 8                    the shipped model, 8 chunks of its 128-token context",
                "  loupe perplexity -m model.gguf -f wiki.test.raw -c 512      all chunks, like llama-perplexity -c 512",
                "  loupe perplexity -f input.txt --stream --context-policy sinks --sinks 4 --chunks 32",
                "  loupe perplexity -f input.txt --stream --context-policy h2o -c 64 --tokens 4096 --json",
                "  loupe perplexity -f input.txt --stream -c 4096 --tokens 4096   full cache over the whole text (the dense baseline)",
                "  loupe perplexity -f input.txt -ctk q8_0 -ctv q8_0              a quantized KV cache, as llama.cpp's -ctk/-ctv"})
final class PerplexityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-f", "--file"}, paramLabel = "TEXT", required = true, description = "The text to score (UTF-8).")
    Path file;

    @Option(names = "--chunks", paramLabel = "K", description = "Score only the first K chunks of --ctx-size tokens (default: all; with --stream, the span K chunks cover).")
    int chunks = -1;

    @Option(names = "--tokens", paramLabel = "N", description = "Use only the first N tokens of the text.")
    Integer maxTokens;

    @Option(names = "--stream", description = "Streaming mode: one pass through a cache of --ctx-size positions under --context-policy.")
    boolean stream;

    @Mixin
    ContextPolicyOptions contextPolicy;

    @Option(names = {"-ctk", "--cache-type-k"}, paramLabel = "TYPE", description = "KV cache type of the keys: f32, f16, q8_0, q4_0 (default: ${DEFAULT-VALUE}).")
    String cacheTypeK = "f16";

    @Option(names = {"-ctv", "--cache-type-v"}, paramLabel = "TYPE", description = "KV cache type of the values: f32, f16, q8_0, q4_0 (default: ${DEFAULT-VALUE}).")
    String cacheTypeV = "f16";

    @Option(names = "--json", description = "Print one JSON object: mode, policy, ctx, tokens, scored, ppl, ppl_uncertainty, mean_nll, evicted (and chunk_ppl).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(file)) throw new LoupeException("no such text file: " + file);
        if (chunks == 0 || chunks < -1) throw new LoupeException("--chunks must be positive, got " + chunks);
        if (maxTokens != null && maxTokens < 3) throw new LoupeException("--tokens must be at least 3, got " + maxTokens);
        if (!stream && !"none".equalsIgnoreCase(contextPolicy.policy)) {
            throw new LoupeException("--context-policy applies to --stream (chunked mode starts every chunk from an empty cache)");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        KvFormat format = new KvFormat(KvFormat.parseType(cacheTypeK), KvFormat.parseType(cacheTypeV));
        try (LoadedModel lm = LoadedModel.open(modelOptions); Session session = new Session(lm.model(), lm.contextSize(), lm.pool(), format)) {
            int[] tokens = lm.tokenizer().encode(text, true, false);
            if (maxTokens != null && tokens.length > maxTokens) tokens = Arrays.copyOf(tokens, maxTokens);
            int ctx = session.contextLength();
            Perplexity.Result r;
            ContextPolicy policy = null;
            if (stream) {
                int span = chunks > 0 ? Math.min(tokens.length, chunks * ctx) : tokens.length;
                tokens = Arrays.copyOf(tokens, span);
                policy = contextPolicy.apply(lm, session);
                if (!session.evicts() && tokens.length > ctx) {
                    throw new LoupeException("the text (" + tokens.length + " tokens) is longer than the context (" + ctx
                            + "); choose a --context-policy, raise --ctx-size or lower --tokens");
                }
                if (!json) err.printf("streaming %d tokens through a %d-token cache (%s), policy %s%n", tokens.length, ctx, format, policy.describe());
                try (Progress bar = Progress.count(err, "perplexity", tokens.length - 1)) {
                    r = Perplexity.streaming(session, tokens, bar::update);
                }
            } else {
                int n = chunks < 0 ? tokens.length / ctx : Math.min(chunks, tokens.length / ctx);
                if (!json) err.printf("%d chunks of %d tokens (%d in the text)%n", n, ctx, tokens.length);
                int bos = lm.tokenizer().addBos() ? lm.tokenizer().bos() : -1;
                try (Progress bar = Progress.count(err, "perplexity", Math.max(n, 1))) {
                    r = Perplexity.chunked(session, tokens, chunks, bos, bar::update);
                }
            }
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("mode", stream ? "stream" : "chunked");
                o.put("policy", policy == null ? "none" : policy.describe());
                o.put("ctx", ctx);
                o.put("cache_type_k", cacheTypeK.toLowerCase(java.util.Locale.ROOT));
                o.put("cache_type_v", cacheTypeV.toLowerCase(java.util.Locale.ROOT));
                o.put("tokens", tokens.length);
                o.put("scored", r.scored());
                o.put("ppl", r.perplexity());
                o.put("ppl_uncertainty", r.uncertainty());
                o.put("mean_nll", r.meanNll());
                o.put("evicted", session.evicted());
                if (!stream) o.put("chunk_ppl", r.runningPpl());
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                if (!stream) {
                    StringBuilder line = new StringBuilder();
                    for (int i = 0; i < r.runningPpl().length; i++) line.append('[').append(i + 1).append(']').append("%.4f".formatted(r.runningPpl()[i])).append(',');
                    out.println(line);
                } else {
                    out.printf("%d tokens scored, %d positions evicted%n", r.scored(), session.evicted());
                }
                out.printf("Final estimate: PPL = %.4f +/- %.5f%n", r.perplexity(), r.uncertainty());
            }
        }
        return 0;
    }
}
