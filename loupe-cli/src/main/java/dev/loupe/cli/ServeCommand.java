package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.lens.steer.SteeringFile;
import dev.loupe.serve.LoupeServer;
import dev.loupe.serve.ModelCatalog;
import dev.loupe.serve.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a model over HTTP: the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models),",
                "the Ollama API (/api/generate, /api/chat, /api/tags, ...), /metrics, /health and a chat page at /.",
                "Requests are batched continuously: up to --parallel sequences decode together.", ""},
        footer = {"", "Examples:",
                "  loupe serve --model model.gguf                         http://127.0.0.1:8080/",
                "  loupe serve --model qwen2.5-0.5b --parallel 8          a model from the models folder by name",
                "  loupe serve --model model.gguf --api-key secret        require 'Authorization: Bearer secret'",
                "  loupe serve --model model.gguf --parallel 16 --kv-memory 2g   16 streams in 2 GiB of KV blocks",
                "  loupe serve --model model.gguf --chat-template-file qwen2.5.jinja   another template (and tool-call format)",
                "  curl http://127.0.0.1:8080/v1/chat/completions -H 'Content-Type: application/json' \\",
                "       -d '{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}'",
                "  loupe serve --steer-dir vectors/                       requests may add \"steering\":[{\"name\":\"love\",\"coef\":8}]"})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE|NAME",
            description = "GGUF file, or the name of a model in the models folder (default: the shipped model).")
    String model;

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Folder of models to find by name and list in /api/tags (default: $LOUPE_MODELS, else Loupe's models folder).")
    Path modelsDir;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = {"-np", "--parallel"}, paramLabel = "N", description = "Sequences decoded together, sharing one paged KV cache (default: ${DEFAULT-VALUE}).")
    int parallel = 4;

    @Option(names = {"-c", "--ctx", "--ctx-size"}, paramLabel = "N",
            description = "Context size per sequence in tokens (default: the model's training context, as far as --kv-memory holds it).")
    int ctx;

    @Option(names = "--kv-memory", paramLabel = "SIZE",
            description = "Memory for the KV cache shared by all sequences and the prefix cache, e.g. 512m or 2g "
                    + "(default: half the memory the system has available, at most --parallel full contexts).")
    String kvMemory;

    @picocli.CommandLine.Mixin
    KvCacheOptions kvCache;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' on every API route (not /health).")
    String apiKey;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads for matrix work (default: all cores, ${DEFAULT-VALUE}).")
    int threads = ThreadPool.defaultThreads();

    @Option(names = "--max-queue", paramLabel = "N", description = "Requests that may wait for a free sequence; more get HTTP 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue = 64;

    @Option(names = "--prefill-chunk", paramLabel = "N",
            description = "Prompt tokens computed between two decode steps, so long prompts do not stall running streams (default: ${DEFAULT-VALUE}).")
    int prefillChunk = ServerOptions.DEFAULT_PREFILL_CHUNK;

    @Option(names = "--steer-dir", paramLabel = "DIR",
            description = "Steering vectors requests may name: every DIR/NAME.safetensors made by 'loupe lens steer make' "
                    + "is NAME, used as \"steering\": [{\"name\": NAME, \"coef\": 4}] in a request (Ollama: in options).")
    Path steerDir;

    @Option(names = "--chat-template", paramLabel = "NAME|JINJA",
            description = "Use a built-in template (chatml, llama3, ...) or Jinja text instead of the model's; it also decides the tool-call format.")
    String chatTemplate;

    @Option(names = "--chat-template-file", paramLabel = "FILE", description = "Read the Jinja chat template from a file.")
    Path chatTemplateFile;

    @Override
    public Integer call() throws InterruptedException {
        Path dir = modelsDir != null ? modelsDir : ModelCatalog.defaultDir();
        String m = model != null ? model : ModelOptions.shippedModel().toString();
        ServerOptions o = new ServerOptions(m, dir, host, port, parallel, ctx, apiKey, threads, maxQueue, prefillChunk,
                kvMemory == null ? 0 : ByteSize.parse(kvMemory, "--kv-memory"), template(), kvCache.format());
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Steering.Term> steering = steeringVectors(steerDir);
        LoupeServer server = LoupeServer.start(o, steering);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        err.printf("loupe: serving %s on http://%s:%d/ (%d parallel, context %d, KV pool %d tokens, %s)%n", server.model().name(), host,
                server.port(), parallel, server.scheduler().contextLength(), server.scheduler().kvCapacity(), o.kvFormat());
        if (!steering.isEmpty()) err.println("loupe: steering vectors " + String.join(", ", new TreeMap<>(steering).keySet()));
        err.flush();
        stopped.await();
        return 0;
    }

    /** Every NAME.safetensors in {@code dir} as the steering vector NAME at coefficient 1; none without a dir. */
    static Map<String, Steering.Term> steeringVectors(Path dir) {
        Map<String, Steering.Term> out = new LinkedHashMap<>();
        if (dir == null) return out;
        if (!Files.isDirectory(dir)) throw new LoupeException("--steer-dir " + dir + " is not a directory");
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".safetensors")) continue;
                out.put(name.substring(0, name.length() - ".safetensors".length()), SteeringFile.load(f).term(1f));
            }
        } catch (IOException e) {
            throw new LoupeException("cannot list --steer-dir " + dir + ": " + e.getMessage());
        }
        if (out.isEmpty()) throw new LoupeException("--steer-dir " + dir + " holds no .safetensors steering vectors");
        return out;
    }

    private String template() {
        if (chatTemplateFile == null) return chatTemplate;
        if (chatTemplate != null) throw new LoupeException("give --chat-template or --chat-template-file, not both");
        try {
            return Files.readString(chatTemplateFile);
        } catch (IOException e) {
            throw new LoupeException("cannot read --chat-template-file " + chatTemplateFile + ": " + e.getMessage());
        }
    }
}
