package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.sample.SamplingParams;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Sampling flags, named as llama.cpp names them so that users can carry their commands over. */
final class SamplingOptions {
    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", description = "Tokens to generate; -1 until the model stops or the context is full (default: ${DEFAULT-VALUE}).")
    int maxTokens = 128;

    @Option(names = "--temp", paramLabel = "T", description = "Temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature = 0.8f;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 keeps all (default: ${DEFAULT-VALUE}).")
    int topK = 40;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling; 1.0 is off (default: ${DEFAULT-VALUE}).")
    float topP = 0.95f;

    @Option(names = "--min-p", paramLabel = "P", description = "Drop tokens below P times the best one's probability; 0 is off (default: ${DEFAULT-VALUE}).")
    float minP = 0.05f;

    @Option(names = "--repeat-penalty", paramLabel = "X", description = "Penalize repeated tokens; 1.0 is off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty = 1.0f;

    @Option(names = "--frequency-penalty", paramLabel = "X", description = "Subtract X per earlier occurrence (default: ${DEFAULT-VALUE}).")
    float frequencyPenalty = 0f;

    @Option(names = "--presence-penalty", paramLabel = "X", description = "Subtract X once if the token occurred (default: ${DEFAULT-VALUE}).")
    float presencePenalty = 0f;

    @Option(names = "--repeat-last-n", paramLabel = "N", description = "How many recent tokens the penalties see; -1 all (default: ${DEFAULT-VALUE}).")
    int repeatLastN = 64;

    @Option(names = {"-s", "--seed"}, paramLabel = "S", description = "Random seed; the same seed gives the same text (default: random).")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when TEXT is generated (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--logprobs", paramLabel = "N", description = "With --json: log-probability of each generated token and its N most likely alternatives.")
    int logprobs;

    SamplingParams toParams() {
        if (logprobs < 0 || logprobs > 100) throw new LoupeException("--logprobs must be between 0 and 100");
        if (temperature < 0 || Float.isNaN(temperature)) throw new LoupeException("--temp must be 0 or more");
        if (topP < 0 || topP > 1) throw new LoupeException("--top-p must be between 0 and 1");
        if (minP < 0 || minP > 1) throw new LoupeException("--min-p must be between 0 and 1");
        if (repeatLastN < -1) throw new LoupeException("--repeat-last-n must be -1, 0 or positive");
        if (maxTokens < -1) throw new LoupeException("--n-predict must be -1 or more");
        for (String s : stop) if (s.isEmpty()) throw new LoupeException("--stop needs a non-empty string");
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty,
                repeatLastN, seed != null ? seed : SamplingParams.RANDOM_SEED, maxTokens, stop, logprobs);
    }
}
