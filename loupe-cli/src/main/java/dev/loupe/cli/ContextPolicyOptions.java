package dev.loupe.cli;

import dev.loupe.core.context.ContextPolicy;
import dev.loupe.core.model.Session;
import picocli.CommandLine.Option;

/** {@code --context-policy} and its parameters, for the commands that run long inputs ({@code run}, {@code chat}, {@code perplexity}). */
final class ContextPolicyOptions {
    @Option(names = "--context-policy", paramLabel = "NAME",
            description = {"What to do when the context (--ctx-size) is full: none (stop; an error for perplexity), "
                    + "shift (llama.cpp: keep --keep tokens, drop half of the rest), sinks (StreamingLLM: --sinks first tokens "
                    + "plus the most recent), h2o (--heavy most-attended tokens plus the most recent). Memory stays within the "
                    + "context: ctx-size positions of KV cache, however long the text (default: ${DEFAULT-VALUE})."})
    String policy = "none";

    @Option(names = "--keep", paramLabel = "N", description = "shift: tokens at the start that are never dropped, BOS not counted (llama.cpp's --keep; default: ${DEFAULT-VALUE}).")
    int keep = 0;

    @Option(names = "--sinks", paramLabel = "N", description = "sinks: attention-sink tokens kept at the start; the rest of the context is the recent window (default: ${DEFAULT-VALUE}).")
    int sinks = 4;

    @Option(names = "--heavy", paramLabel = "N", description = "h2o: heavy-hitter tokens kept by accumulated attention; the rest of the context is the recent window (default: half the context).")
    int heavy = -1;

    /** The policy for a context of {@code capacity} tokens; shift's --keep counts the BOS on top, as llama.cpp's does. */
    ContextPolicy policy(int capacity, boolean addsBos) {
        return ContextPolicy.parse(policy, keep + (addsBos ? 1 : 0), sinks, heavy, capacity);
    }

    /** Sets the policy on {@code session}; returns it. */
    ContextPolicy apply(LoadedModel lm, Session session) {
        ContextPolicy p = policy(session.contextLength(), lm.tokenizer().addBos());
        session.setContextPolicy(p);
        return p;
    }
}
