package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.model.Session;
import dev.loupe.core.sample.SamplingParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
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
                "  loupe run \"ROMEO:\" --temp 0 --steer love.safetensors:8   steered (see 'loupe lens steer make')"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt (or give it as the last arguments).")
    String prompt;

    @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "The prompt, if -p is not used.")
    List<String> words;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    SteerOptions steering;

    @Option(names = "--json", description = "Print one JSON object at the end: prompt_ids, ids, text, prompt_tokens_per_s, gen_tokens_per_s.")
    boolean json;

    @Option(names = "--special", description = "Parse special-token text in the prompt (e.g. <|eot_id|>) as the tokens themselves.")
    boolean special;

    @Option(names = "--no-bos", description = "Do not add the BOS token the model asks for.")
    boolean noBos;

    @Override
    public Integer call() throws Exception {
        String text = prompt != null ? prompt : words != null ? String.join(" ", words) : null;
        if (text == null || text.isEmpty()) throw new LoupeException("give a prompt: loupe run \"Once upon a time\" (or -p TEXT)");
        SamplingParams params = sampling.toParams();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LoadedModel lm = LoadedModel.open(modelOptions); Session session = lm.newSession()) {
            steering.apply(lm, session, modelOptions.resolveModel().getFileName().toString());
            int[] ids = lm.tokenizer().encode(text, !noBos, special);
            if (ids.length == 0) throw new LoupeException("the prompt has no tokens");
            if (!json) {
                out.print(text);
                out.flush();
            }
            GenerationResult r = new Generator(session, lm.tokenizer()).generate(ids, new int[0], params, json ? null : s -> {
                out.print(s);
                out.flush();
            });
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("prompt_ids", r.promptIds());
                o.put("ids", r.ids());
                o.put("text", r.text());
                o.put("finish_reason", r.finishReason().name().toLowerCase());
                o.put("prompt_tokens_per_s", round(r.promptTokensPerSecond()));
                o.put("gen_tokens_per_s", round(r.genTokensPerSecond()));
                if (!r.logprobs().isEmpty()) o.put("logprobs", logprobsJson(r, lm.tokenizer()));
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                out.println();
                err.printf("%nprompt: %d tokens, %.1f tokens/s | generated: %d tokens, %.1f tokens/s | %s%n",
                        r.promptIds().length, r.promptTokensPerSecond(), r.ids().length, r.genTokensPerSecond(),
                        r.finishReason() == dev.loupe.core.generate.FinishReason.STOP ? "stopped" : "length limit");
            }
        }
        return 0;
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
