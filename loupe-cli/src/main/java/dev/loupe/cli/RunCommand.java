package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.speculate.Drafter;
import dev.loupe.core.speculate.LookupDrafter;
import dev.loupe.core.speculate.ModelDrafter;
import dev.loupe.core.speculate.SpeculativeGenerator;
import dev.loupe.core.speculate.SpeculativeResult;
import dev.loupe.core.speculate.SpeculativeStats;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.core.sample.SamplingParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate a continuation of a prompt, streamed as it is produced.",
                "Prints prompt and generation speed (tokens/s) on stderr at the end.", ""},
        footer = {"", "Examples:",
                "  loupe run \"ROMEO:\"                                  the shipped model (Shakespeare), default sampling",
                "  loupe run -m model.gguf -p \"The capital of France is\" -n 32 --temp 0",
                "  loupe run -m model.gguf -p \"Hi\" --seed 42 --temp 0.7  same seed, same text",
                "  loupe run -m model.gguf -p \"Hi\" -n 16 --temp 0 --json  one JSON object for scripts",
                "  loupe run --draft models/loupe-shakespeare-draft.gguf --draft-k 2 --temp 0 -p \"ROMEO:\"   speculative decoding",
                "  loupe run -m model.gguf --lookup --lookup-n 3 -p \"$(cat doc.txt) Summary:\"   prompt lookup (no draft)",
                "  loupe run --rope-scaling yarn --rope-scale 4 -p \"...\"   YaRN: four times the trained context",
                "  loupe run \"ROMEO:\" -n 1000 --context-policy sinks       past the 128-token context: 4 sinks + a recent window",
                "  loupe run -m model.gguf --prompt-cache doc.session -p \"$(cat doc.txt) Q: ...\"   the document's prefix computed once",
                "  loupe run \"ROMEO:\" --temp 0 --steer love.safetensors:8   steered (see 'loupe lens steer make')"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    KvCacheOptions kvCache;

    @Mixin
    KvOffloadOptions kvOffload;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt (or give it as the last arguments).")
    String prompt;

    @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "The prompt, if -p is not used.")
    List<String> words;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    SteerOptions steering;

    @Mixin
    ContextPolicyOptions contextPolicy;

    @Mixin
    PromptCacheOptions promptCache;

    @Option(names = "--json", description = "Print one JSON object at the end: prompt_ids, ids, text, prompt_tokens_per_s, gen_tokens_per_s (and speculative: acceptance_rate ... with --draft or --lookup).")
    boolean json;

    @Option(names = "--special", description = "Parse special-token text in the prompt (e.g. <|eot_id|>) as the tokens themselves.")
    boolean special;

    @Option(names = "--no-bos", description = "Do not add the BOS token the model asks for.")
    boolean noBos;

    @Option(names = "--draft", paramLabel = "FILE",
            description = {"Speculative decoding: this smaller model (same tokenizer) guesses tokens that the model checks several at a time; "
                    + "greedy output is identical, sampled output has the same distribution.",
                    "Use it when the draft costs a small fraction of a model step (10x fewer weights or more) and agrees with it often, "
                    + "mostly with greedy decoding (--temp 0) and a small --draft-k (2-3). For the shipped model: "
                    + "models/loupe-shakespeare-draft.gguf, 0-20%% less CPU greedy at --draft-k 2, slower when sampling. "
                    + "A quantized copy of the model itself is too expensive a draft and slows decoding down (BENCHMARKS.md)."})
    Path draft;

    @Option(names = "--lookup", description = "Prompt lookup decoding: guess the tokens that followed the last earlier occurrence of the context's last n-gram (no draft model).")
    boolean lookup;

    @Option(names = "--draft-k", paramLabel = "K", description = "With --draft or --lookup: most tokens guessed per round (default: ${DEFAULT-VALUE}).")
    int draftK = 4;

    @Option(names = "--draft-p-min", paramLabel = "P",
            description = "With --draft: stop guessing at a position where the draft's top token has probability below P (0: always guess K) (default: ${DEFAULT-VALUE}).")
    float draftPMin = 0;

    @Option(names = "--lookup-n", paramLabel = "N", description = "With --lookup: the longest n-gram looked up; shorter ones down to 1 are tried next (default: ${DEFAULT-VALUE}).")
    int lookupN = 3;

    @Override
    public Integer call() throws Exception {
        String text = prompt != null ? prompt : words != null ? String.join(" ", words) : null;
        if (text == null || text.isEmpty()) throw new LoupeException("give a prompt: loupe run \"Once upon a time\" (or -p TEXT)");
        SamplingParams params = sampling.toParams();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (draft != null && lookup) throw new LoupeException("--draft and --lookup are two ways of guessing tokens; choose one");
        if (lookupN < 1) throw new LoupeException("--lookup-n must be at least 1, got " + lookupN);
        if (promptCache.enabled() && (draft != null || lookup)) {
            throw new LoupeException("--prompt-cache does not combine with --draft or --lookup yet; drop one of them");
        }
        try (LoadedModel lm = LoadedModel.open(modelOptions); Session session = lm.newSession(kvCache.format(), kvOffload.offload());
             Drafter drafter = drafter(lm)) {
            steering.apply(lm, session, modelOptions.resolveModel().getFileName().toString());
            contextPolicy.apply(lm, session);
            if (drafter != null && session.evicts()) {
                throw new LoupeException("--context-policy does not combine with --draft or --lookup yet (their rollback needs an unevicted cache)");
            }
            session.onWarning(err::println);
            int[] ids = lm.tokenizer().encode(text, !noBos, special);
            if (ids.length == 0) throw new LoupeException("the prompt has no tokens");
            if (!json) {
                out.print(text);
                out.flush();
            }
            java.util.function.Consumer<String> stream = json ? null : s -> {
                out.print(s);
                out.flush();
            };
            GenerationResult r;
            SpeculativeResult spec = null;
            int cached = promptCache.restore(lm, session, ids, modelOptions.lora, steering.steer, err);
            if (drafter == null) {
                int[] prompt = ids;
                r = new Generator(session, lm.tokenizer()).afterPrompt(() -> promptCache.save(session, prompt, err))
                        .generate(java.util.Arrays.copyOfRange(ids, cached, ids.length), java.util.Arrays.copyOf(ids, cached), params, stream);
            } else {
                spec = new SpeculativeGenerator(session, lm.tokenizer(), drafter, draftK).generate(ids, params, stream);
                r = spec.generation();
            }
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("prompt_ids", ids);
                if (promptCache.enabled()) o.put("prompt_cached_tokens", cached);
                o.put("ids", r.ids());
                o.put("text", r.text());
                o.put("finish_reason", r.finishReason().name().toLowerCase());
                o.put("prompt_tokens_per_s", round(r.promptTokensPerSecond()));
                o.put("gen_tokens_per_s", round(r.genTokensPerSecond()));
                if (spec != null) o.put("speculative", speculativeJson(spec, drafter));
                if (!r.logprobs().isEmpty()) o.put("logprobs", logprobsJson(r, lm.tokenizer()));
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                out.println();
                err.printf("%nprompt: %d tokens%s, %.1f tokens/s | generated: %d tokens, %.1f tokens/s | %s%n",
                        ids.length, cached > 0 ? " (" + cached + " from the prompt cache)" : "", r.promptTokensPerSecond(), r.ids().length, r.genTokensPerSecond(),
                        r.finishReason() == dev.loupe.core.generate.FinishReason.STOP ? "stopped" : "length limit");
                if (spec != null) {
                    SpeculativeStats st = spec.stats();
                    err.printf("%s, k=%d: %d of %d guesses accepted (%.1f%%), %.2f tokens per target pass%n", drafter.describe(),
                            draftK, st.accepted(), st.drafted(), 100 * st.acceptanceRate(), spec.tokensPerTargetPass());
                }
            }
        }
        return 0;
    }

    /** The drafter --draft or --lookup asks for, or null; a draft model shares the target's threads and context size. */
    private Drafter drafter(LoadedModel lm) {
        if (lookup) return new LookupDrafter(lookupN, 1);
        if (draft == null) return null;
        if (!Files.isRegularFile(draft)) throw new LoupeException("no such draft model file: " + draft);
        Model dm = Model.load(draft, List.of(), modelOptions.ropeOverride());
        try {
            Tokenizer dt = Tokenizer.fromMetadata(dm.file().metadata());
            return new ModelDrafter(new Session(dm, lm.contextSize(), lm.pool()), dt, lm.tokenizer(),
                    lm.model().config().vocabSize(), draft.getFileName().toString(), dm, draftPMin);
        } catch (RuntimeException e) {
            dm.close();
            throw e;
        }
    }

    private static Map<String, Object> speculativeJson(SpeculativeResult spec, Drafter drafter) {
        SpeculativeStats st = spec.stats();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("drafter", drafter.describe());
        o.put("drafted", st.drafted());
        o.put("accepted", st.accepted());
        o.put("acceptance_rate", Math.round(st.acceptanceRate() * 10000) / 10000.0);
        o.put("target_passes", st.targetPasses());
        o.put("tokens_per_target_pass", round(spec.tokensPerTargetPass()));
        return o;
    }

    /** OpenAI-like: per generated token its text, logprob and top alternatives. */
    private static java.util.List<Map<String, Object>> logprobsJson(GenerationResult r, dev.loupe.core.tokenizer.Tokenizer tok) {
        java.util.List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (dev.loupe.core.sample.Logprobs lp : r.logprobs()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", lp.chosen().token());
            e.put("token", tok.piece(lp.chosen().token()));
            e.put("logprob", lp.chosen().logprob());
            java.util.List<Map<String, Object>> top = new java.util.ArrayList<>();
            for (dev.loupe.core.sample.Logprobs.TokenLogprob t : lp.top()) {
                top.add(Map.of("id", t.token(), "token", tok.piece(t.token()), "logprob", t.logprob()));
            }
            e.put("top_logprobs", top);
            out.add(e);
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
