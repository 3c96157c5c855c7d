package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.lm.LocalLanguageModel;
import dev.loupe.eval.backend.HttpPolicy;
import dev.loupe.eval.backend.OpenAiLanguageModel;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Where an evaluation's model lives: in process (-m FILE) or behind an OpenAI-compatible server (--server URL). */
final class EvalBackendOptions {
    @Mixin
    ModelOptions local = new ModelOptions();

    @Option(names = "--server", paramLabel = "URL", description = "OpenAI-compatible server base URL (e.g. http://127.0.0.1:8080) instead of -m.")
    String server;

    @Option(names = "--server-model", paramLabel = "NAME", description = "Model id to send to the server (default: ${DEFAULT-VALUE}).")
    String serverModel = "default";

    @Option(names = "--raw-completions", description = "Generate through /v1/completions with the raw prompt instead of chat/completions.")
    boolean rawCompletions;

    @Option(names = "--rps", paramLabel = "N", description = "At most N requests per second to the server (default: unlimited).")
    double rps;

    @Option(names = "--retries", paramLabel = "N", description = "Retries on connection errors, 429 and 5xx (default: ${DEFAULT-VALUE}).")
    int retries = 5;

    LanguageModel open() {
        if (server != null) {
            if (local.model != null) throw new LoupeException("give either -m FILE or --server URL, not both");
            if (retries < 0) throw new LoupeException("--retries must be >= 0");
            HttpPolicy p = HttpPolicy.defaults();
            p = new HttpPolicy(retries, p.initialBackoff(), p.maxBackoff(), rps, p.timeout());
            return OpenAiLanguageModel.connect(server, serverModel, !rawCompletions, System.getenv("LOUPE_API_KEY"), p);
        }
        // LocalLanguageModel loads the file as it is; say so rather than ignore the flags.
        if (local.ropeOverride() != null) throw new LoupeException("--rope-scaling/--rope-scale/--yarn-orig-ctx are not supported by this command yet");
        return new LocalLanguageModel(local.resolveModel(), local.loraSpecs(), local.threads(), local.contextSize != null ? local.contextSize : 4096);
    }
}
