package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.sandbox.Limits;
import dev.loupe.sandbox.Sandbox;
import dev.loupe.think.answer.AnswerExtractor;
import dev.loupe.think.run.CurvePlot;
import dev.loupe.think.run.Output;
import dev.loupe.think.run.Strategies;
import dev.loupe.think.run.Summary;
import dev.loupe.think.run.TaskFile;
import dev.loupe.think.run.ThinkRunner;
import dev.loupe.think.strategy.Problem;
import dev.loupe.think.strategy.SelfDebug;
import dev.loupe.think.strategy.Strategy;
import dev.loupe.think.verify.ArithmeticCheck;
import dev.loupe.think.verify.LlmVerifier;
import dev.loupe.think.verify.UnitTests;
import dev.loupe.think.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code loupe think}: inference-time compute strategies over a task file, and their scaling curve. */
@Command(name = "think", mixinStandardHelpOptions = true,
        description = "Spend inference-time compute: best-of-N, majority vote, step beam search, DVTS, MCTS, self-debugging.",
        subcommands = {ThinkCommand.Run.class, ThinkCommand.Curve.class})
final class ThinkCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What every think command shares: tasks, model, sampling, verifier, strategy knobs. */
    static final class Common {
        @Parameters(index = "0", paramLabel = "TASKS", description = "JSONL problems: prompt (or question), answer; code tasks add tests and language.")
        Path tasks;

        @Mixin
        EvalBackendOptions backend = new EvalBackendOptions();

        @Option(names = "--limit", paramLabel = "N", description = "Only the first N problems.")
        int limit;

        @Option(names = "--template", paramLabel = "TEXT", description = "Wrap each prompt: {prompt} is replaced (\\n allowed).")
        String template;

        @Option(names = "--temp", paramLabel = "T", description = "Sampling temperature (default: ${DEFAULT-VALUE}).")
        float temperature = 0.8f;

        @Option(names = "--top-k", paramLabel = "K", description = "Top-k; 0 keeps all (default: ${DEFAULT-VALUE}).")
        int topK = 0;

        @Option(names = "--top-p", paramLabel = "P", description = "Top-p (default: ${DEFAULT-VALUE}).")
        float topP = 1.0f;

        @Option(names = "--min-p", paramLabel = "P", description = "Min-p (default: ${DEFAULT-VALUE}).")
        float minP = 0f;

        @Option(names = "--max-tokens", paramLabel = "N", description = "Tokens per generated solution (default: ${DEFAULT-VALUE}).")
        int maxTokens = 256;

        @Option(names = "--stop", paramLabel = "TEXT", description = "Ends a solution (repeatable; \\n allowed; default: none).")
        List<String> stop = new ArrayList<>();

        @Option(names = "--step", paramLabel = "TEXT", description = "Ends one reasoning step, for beam/dvts/mcts (default: \\n).")
        String step = "\\n";

        @Option(names = "--verifier", paramLabel = "KIND", description = "arith (checks worked arithmetic), llm (yes/no log-prob judge), tests (code) (default: arith).")
        String verifier = "arith";

        @Option(names = "--judge-model", paramLabel = "FILE", description = "GGUF for the llm verifier (default: the generating model).")
        Path judgeModel;

        @Option(names = "--extract-regex", paramLabel = "RE", description = "Answer = group 1 of the last match (default: math extraction: \\boxed, ####, 'answer is', last number).")
        String extractRegex;

        @Option(names = "--m", paramLabel = "M", description = "Beam/DVTS expansions per kept beam; MCTS children per expansion (default: ${DEFAULT-VALUE}).")
        int m = 4;

        @Option(names = "--max-steps", paramLabel = "N", description = "Step limit of beam/dvts/mcts (default: ${DEFAULT-VALUE}).")
        int maxSteps = 12;

        @Option(names = "--exploration", paramLabel = "C", description = "MCTS UCT constant (default: ${DEFAULT-VALUE}).")
        double exploration = 1.0;

        @Option(names = "--budget-tokens", paramLabel = "N", description = "Generated tokens allowed per problem; the strategy decides with what it has when spent (default: no limit).")
        long budgetTokens;

        @Option(names = "--seed", paramLabel = "S", description = "Run seed; the same seed reproduces every sample and decision (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        List<Problem> problems() {
            return TaskFile.read(tasks, template == null ? null : unescape(template), limit);
        }

        ThinkRunner.Settings settings(List<Problem> problems) {
            if (maxTokens < 1) throw new LoupeException("--max-tokens must be at least 1");
            List<String> stops = stop.stream().map(ThinkCommand::unescape).toList();
            for (String s : stops) if (s.isEmpty()) throw new LoupeException("--stop needs a non-empty string");
            SamplingParams p = new SamplingParams(temperature, topK, topP, minP, 1f, 0f, 0f, 0, seed, maxTokens, stops, 0);
            AnswerExtractor x = extractRegex == null ? new AnswerExtractor.Math() : new AnswerExtractor.Regex(extractRegex);
            boolean code = problems.stream().anyMatch(Problem::isCode);
            return new ThinkRunner.Settings(p, unescape(step), budgetTokens, seed, x, code ? unitTests() : null);
        }

        Verifier verifier(ThinkRunner.Settings s, List<LanguageModel> toClose) {
            return switch (verifier) {
                case "arith" -> new ArithmeticCheck();
                case "llm" -> {
                    LanguageModel judge = null;
                    if (judgeModel != null) {
                        judge = new dev.loupe.core.lm.LocalLanguageModel(judgeModel, backend.local.threads(), 4096);
                        toClose.add(judge);
                    }
                    yield new LlmVerifier(judge, LlmVerifier.DEFAULT_TEMPLATE);
                }
                case "tests" -> s.grader() != null ? s.grader() : unitTests();
                default -> throw new LoupeException("--verifier must be arith, llm or tests, not " + verifier);
            };
        }

        Strategy strategy(String name, int n, Verifier v, ThinkRunner.Settings s, List<Problem> problems) {
            String feedback = problems.stream().anyMatch(p -> p.language() == dev.loupe.sandbox.Language.JAVA)
                    ? SelfDebug.JAVA_FEEDBACK : SelfDebug.PYTHON_FEEDBACK;
            return new Strategies(m, maxSteps, exploration, feedback).build(name, n, v, s.grader());
        }
    }

    static UnitTests unitTests() {
        return new UnitTests(Sandbox.create(), Limits.defaults().withWallTime(Duration.ofSeconds(20)));
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run one strategy over a task file; write per-problem traces (JSONL) and a summary.",
            footer = {"", "Examples:",
                    "  loupe think run add3.jsonl -m add3.gguf --strategy majority --n 8 --stop '\\n'",
                    "  loupe think run add3.jsonl -m add3.gguf --strategy beam --n 8 --m 2 --step ';' --stop '\\n' --verifier arith",
                    "  loupe think run gsm8k.jsonl --server http://127.0.0.1:8080 --raw-completions --strategy majority --n 4 \\",
                    "      --template 'Question: {prompt}\\nAnswer:' --stop '\\n\\n' --limit 5",
                    "  loupe think run code.jsonl -m coder.gguf --strategy self-debug --n 3     (problems with \"tests\")",
                    "", "Strategies: single, majority, best-of, weighted-best-of, beam, dvts, mcts, self-debug.",
                    "N is the candidates (best-of, majority), beams (beam, dvts), MCTS rounds or self-debug attempts."})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--strategy", paramLabel = "NAME", description = "Strategy (default: ${DEFAULT-VALUE}).")
        String strategy = "majority";

        @Option(names = "--n", paramLabel = "N", description = "Compute knob: candidates, beams, MCTS rounds or attempts (default: ${DEFAULT-VALUE}).")
        int n = 8;

        @Option(names = "--out", paramLabel = "DIR", description = "Where traces.jsonl and summary.json go (default: think-runs/STRATEGY).")
        Path out;

        @Option(names = "--json", description = "Print the summary as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter stdout = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            List<Problem> problems = common.problems();
            ThinkRunner.Settings s = common.settings(problems);
            List<LanguageModel> toClose = new ArrayList<>();
            try (LanguageModel lm = common.backend.open()) {
                Verifier v = needsVerifier(strategy) ? common.verifier(s, toClose) : null;
                Strategy st = common.strategy(strategy, n, v, s, problems);
                Path dir = out != null ? out : Path.of("think-runs", st.name().replace('@', '-'));
                Summary sum;
                try (Output traces = new Output(dir.resolve("traces.jsonl"));
                     Progress progress = Progress.count(err, st.name(), problems.size())) {
                    sum = ThinkRunner.run(lm, problems, st, s, traces.writer(), progress::update);
                    traces.commit();
                }
                Map<String, Object> summary = summaryJson(sum, lm.name(), common.seed);
                Output.write(dir.resolve("summary.json"), JSON.writeValueAsString(summary) + "\n");
                if (json) stdout.println(JSON.writeValueAsString(summary));
                else {
                    stdout.println(table(List.of(sum)));
                    stdout.printf(Locale.ROOT, "wrote %s and %s%n", dir.resolve("traces.jsonl"), dir.resolve("summary.json"));
                }
            } finally {
                for (LanguageModel m : toClose) m.close();
            }
            return 0;
        }
    }

    @Command(name = "curve", mixinStandardHelpOptions = true,
            description = "Accuracy against compute for several strategies and budgets: the inference-time scaling curve (SVG + JSON).",
            footer = {"", "Examples:",
                    "  loupe think curve add3.jsonl -m add3.gguf --strategies single,majority,best-of,beam \\",
                    "      --n 1,2,4,8,16 --step ';' --stop '\\n' --out curve/",
                    "", "'single' runs once (N=1). The x axis is tokens generated per problem (--x tokens) or N (--x n)."})
    static final class Curve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--strategies", split = ",", paramLabel = "LIST", description = "Strategies to compare (default: single,majority,best-of).")
        List<String> strategies = List.of("single", "majority", "best-of");

        @Option(names = "--n", split = ",", paramLabel = "LIST", description = "Budgets N (default: 1,2,4,8,16).")
        List<Integer> ns = List.of(1, 2, 4, 8, 16);

        @Option(names = "--x", paramLabel = "AXIS", description = "tokens or n (default: ${DEFAULT-VALUE}).")
        String x = "tokens";

        @Option(names = "--out", paramLabel = "DIR", description = "Where curve.svg, curve.json and traces go (default: ${DEFAULT-VALUE}).")
        Path out = Path.of("think-curve");

        @Option(names = "--title", description = "Plot title (default: TASKS file and model).")
        String title;

        @Override
        public Integer call() throws Exception {
            if (!x.equals("tokens") && !x.equals("n")) throw new LoupeException("--x must be tokens or n");
            PrintWriter stdout = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            List<Problem> problems = common.problems();
            ThinkRunner.Settings s = common.settings(problems);
            List<LanguageModel> toClose = new ArrayList<>();
            List<Summary> all = new ArrayList<>();
            List<CurvePlot.Series> series = new ArrayList<>();
            Map<String, Object> json = new LinkedHashMap<>();
            try (LanguageModel lm = common.backend.open()) {
                Verifier v = strategies.stream().anyMatch(ThinkCommand::needsVerifier) ? common.verifier(s, toClose) : null;
                for (String name : strategies) {
                    List<double[]> points = new ArrayList<>();
                    for (int n : name.equals("single") ? List.of(1) : ns) {
                        Strategy st = common.strategy(name, n, v, s, problems);
                        Summary sum;
                        try (Output traces = new Output(out.resolve("traces").resolve(st.name().replace('@', '-') + ".jsonl"));
                             Progress progress = Progress.count(err, st.name(), problems.size())) {
                            sum = ThinkRunner.run(lm, problems, st, s, traces.writer(), progress::update);
                            traces.commit();
                        }
                        all.add(sum);
                        points.add(new double[]{x.equals("n") ? n : sum.tokensPerProblem(), sum.accuracy()});
                        err.printf(Locale.ROOT, "%-22s accuracy %.3f  tokens/problem %.0f%n", st.name(), sum.accuracy(), sum.tokensPerProblem());
                    }
                    series.add(new CurvePlot.Series(name, points));
                }
                String t = title != null ? title : common.tasks.getFileName() + " — " + lm.name() + " (" + problems.size() + " problems, seed " + common.seed + ")";
                Output.write(out.resolve("curve.svg"), CurvePlot.svg(t, x.equals("n") ? "N" : "tokens generated per problem", series));
                json.put("model", lm.name());
                json.put("tasks", common.tasks.toString());
                json.put("seed", common.seed);
                json.put("runs", all.stream().map(r -> summaryJson(r, lm.name(), common.seed)).toList());
                Output.write(out.resolve("curve.json"), JSON.writeValueAsString(json) + "\n");
            } finally {
                for (LanguageModel m : toClose) m.close();
            }
            stdout.println(table(all));
            stdout.printf(Locale.ROOT, "wrote %s and %s%n", out.resolve("curve.svg"), out.resolve("curve.json"));
            return 0;
        }
    }

    static boolean needsVerifier(String strategy) {
        return !strategy.equals("single") && !strategy.equals("majority") && !strategy.equals("self-debug");
    }

    static Map<String, Object> summaryJson(Summary s, String model, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("strategy", s.strategy());
        m.put("model", model);
        m.put("seed", seed);
        m.put("problems", s.problems());
        m.put("correct", s.correct());
        m.put("accuracy", s.accuracy());
        m.put("tokens_per_problem", s.tokensPerProblem());
        m.put("generations_per_problem", s.generationsPerProblem());
        m.put("verifier_calls_per_problem", s.verifierCallsPerProblem());
        m.put("seconds", s.seconds());
        return m;
    }

    static String table(List<Summary> rows) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-22s %5s %8s %10s %12s %12s %8s%n",
                "strategy", "n", "accuracy", "correct", "tokens/prob", "samples/prob", "seconds"));
        for (Summary s : rows) {
            b.append(String.format(Locale.ROOT, "%-22s %5d %8.3f %10s %12.1f %12.1f %8.1f%n", s.strategy(), s.problems(),
                    s.accuracy(), s.correct() + "/" + s.problems(), s.tokensPerProblem(), s.generationsPerProblem(), s.seconds()));
        }
        return b.toString().stripTrailing();
    }

    /** Lets users type \n and \t in options. */
    static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\t", "\t");
    }
}
