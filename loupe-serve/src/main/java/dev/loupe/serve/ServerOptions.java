package dev.loupe.serve;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.KvFormat;

import dev.loupe.core.parallel.ThreadPool;

import java.nio.file.Path;

/**
 * How to run the server.
 *
 * @param model         a GGUF file, or the name of a model in {@code modelsDir}
 * @param port          0 picks a free port
 * @param parallel      sequences decoded together
 * @param contextLength tokens per sequence; 0 for the model's training context, at most 4096
 * @param apiKey        null or empty for none
 * @param maxQueue      requests allowed to wait for a slot; more are refused with 429
 * @param prefillChunk  prompt tokens computed between two decode steps
 * @param kvMemory      bytes for the shared KV cache pool; 0 for half the available memory, at most {@code parallel} contexts
 * @param chatTemplate  null for the model's own template; else a built-in template's name or Jinja text
 * @param kvFormat      the KV cache's key and value types ({@code -ctk}/{@code -ctv})
 */
public record ServerOptions(String model, Path modelsDir, String host, int port, int parallel, int contextLength,
                            String apiKey, int threads, int maxQueue, int prefillChunk, long kvMemory, String chatTemplate,
                            KvFormat kvFormat) {
    public static final int DEFAULT_PREFILL_CHUNK = 64;

    public ServerOptions {
        if (port < 0 || port > 65535) throw new LoupeException("--port must be between 0 and 65535, got " + port);
        if (parallel < 1 || parallel > 256) throw new LoupeException("--parallel must be between 1 and 256, got " + parallel);
        if (contextLength < 0) throw new LoupeException("--ctx must be positive, got " + contextLength);
        if (threads < 1) throw new LoupeException("--threads must be at least 1, got " + threads);
        if (maxQueue < 0) throw new LoupeException("--max-queue must be 0 or more, got " + maxQueue);
        if (prefillChunk < 1) throw new LoupeException("--prefill-chunk must be at least 1, got " + prefillChunk);
        if (kvMemory < 0) throw new LoupeException("--kv-memory must be positive, got " + kvMemory);
        if (kvFormat == null) kvFormat = KvFormat.DEFAULT;
    }

    /** Options with an F16 KV cache. */
    public ServerOptions(String model, Path modelsDir, String host, int port, int parallel, int contextLength,
                         String apiKey, int threads, int maxQueue, int prefillChunk, long kvMemory, String chatTemplate) {
        this(model, modelsDir, host, port, parallel, contextLength, apiKey, threads, maxQueue, prefillChunk, kvMemory, chatTemplate, null);
    }

    /** Options with the model's own chat template. */
    public ServerOptions(String model, Path modelsDir, String host, int port, int parallel, int contextLength,
                         String apiKey, int threads, int maxQueue, int prefillChunk, long kvMemory) {
        this(model, modelsDir, host, port, parallel, contextLength, apiKey, threads, maxQueue, prefillChunk, kvMemory, null);
    }

    /** Defaults for everything but the model: 127.0.0.1:8080, 4 sequences, all cores. */
    public static ServerOptions defaults(String model) {
        return new ServerOptions(model, ModelCatalog.defaultDir(), "127.0.0.1", 8080, 4, 0, null,
                ThreadPool.defaultThreads(), 64, DEFAULT_PREFILL_CHUNK, 0);
    }

    public ServerOptions withPort(int v) {
        return new ServerOptions(model, modelsDir, host, v, parallel, contextLength, apiKey, threads, maxQueue, prefillChunk, kvMemory, chatTemplate, kvFormat);
    }

    public ServerOptions withParallel(int v) {
        return new ServerOptions(model, modelsDir, host, port, v, contextLength, apiKey, threads, maxQueue, prefillChunk, kvMemory, chatTemplate, kvFormat);
    }

    public ServerOptions withContextLength(int v) {
        return new ServerOptions(model, modelsDir, host, port, parallel, v, apiKey, threads, maxQueue, prefillChunk, kvMemory, chatTemplate, kvFormat);
    }

    public ServerOptions withApiKey(String v) {
        return new ServerOptions(model, modelsDir, host, port, parallel, contextLength, v, threads, maxQueue, prefillChunk, kvMemory, chatTemplate, kvFormat);
    }

    public ServerOptions withMaxQueue(int v) {
        return new ServerOptions(model, modelsDir, host, port, parallel, contextLength, apiKey, threads, v, prefillChunk, kvMemory, chatTemplate, kvFormat);
    }

    public ServerOptions withKvMemory(long v) {
        return new ServerOptions(model, modelsDir, host, port, parallel, contextLength, apiKey, threads, maxQueue, prefillChunk, v, chatTemplate, kvFormat);
    }

    public ServerOptions withModelsDir(Path v) {
        return new ServerOptions(model, v, host, port, parallel, contextLength, apiKey, threads, maxQueue, prefillChunk, kvMemory, chatTemplate, kvFormat);
    }

    public ServerOptions withChatTemplate(String v) {
        return new ServerOptions(model, modelsDir, host, port, parallel, contextLength, apiKey, threads, maxQueue, prefillChunk, kvMemory, v, kvFormat);
    }

    public ServerOptions withThreads(int v) {
        return new ServerOptions(model, modelsDir, host, port, parallel, contextLength, apiKey, v, maxQueue, prefillChunk, kvMemory, chatTemplate, kvFormat);
    }

    public ServerOptions withKvFormat(KvFormat v) {
        return new ServerOptions(model, modelsDir, host, port, parallel, contextLength, apiKey, threads, maxQueue, prefillChunk, kvMemory, chatTemplate, v);
    }
}
