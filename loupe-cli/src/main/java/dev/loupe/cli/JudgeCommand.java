package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.eval.backend.CachingLanguageModel;
import dev.loupe.eval.backend.ResponseCache;
import dev.loupe.eval.judge.Answer;
import dev.loupe.eval.judge.AnswerFiles;
import dev.loupe.eval.judge.Judge;
import dev.loupe.eval.judge.JudgePrompt;
import dev.loupe.eval.judge.JudgeReport;
import dev.loupe.eval.judge.PairwiseComparison;
import dev.loupe.eval.judge.References;
import dev.loupe.eval.judge.SingleGrading;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code loupe eval judge}: LLM-as-judge over run folders or answer files. */
@Command(name = "judge", mixinStandardHelpOptions = true,
        description = {"Grade answers with a judge model: one ANSWERS set is single-answer grading (1-10),",
                "two are a pairwise comparison judged in both orders (disagreement is a tie)."},
        footer = {"", "Examples:",
                "  loupe eval judge --prompts mt_bench/judge_prompts.jsonl runs/mt_bench",
                "  loupe eval judge --prompts mt_bench/judge_prompts.jsonl runs/a runs/b -m judge.gguf",
                "  loupe eval judge --prompts mt_bench/judge_prompts.jsonl --turn 2 runs/a runs/b -m judge.gguf"})
final class JudgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Parameters(paramLabel = "ANSWERS", arity = "1..2", description = "Run folders of a generate_until task, or JSONL with question/answer.")
    List<Path> answers;
    @Option(names = "--prompts", paramLabel = "FILE", required = true, description = "MT-Bench judge_prompts.jsonl.")
    Path prompts;
    @Option(names = "--prompt", paramLabel = "NAME", description = "Judge prompt name (default: single-v1 or pair-v2; with --turn 2 their -multi-turn forms).")
    String promptName;
    @Option(names = "--turn", paramLabel = "N", description = "MT-Bench turn to judge: 1, or 2 (the second answer, judged with the first turn in view) (default: ${DEFAULT-VALUE}).")
    int turn = 1;
    @Option(names = "--max-tokens", paramLabel = "N", description = "Judge output budget (default: ${DEFAULT-VALUE}).")
    int maxTokens = 512;
    @Option(names = "--references", paramLabel = "FILE", description = "MT-Bench reference answers (reference_answer_gpt-4.jsonl) for the math prompts.")
    Path references;
    @Option(names = "--cache", paramLabel = "FILE", description = "Response cache for the judge's calls; a rerun resumes from it.")
    Path cache;
    @Option(names = "--out", paramLabel = "FILE", description = "Write every judgment (prompt order, verdicts, winner) as JSONL here.")
    Path outFile;
    @Mixin
    EvalBackendOptions backend = new EvalBackendOptions();

    @Override
    public Integer call() {
        Map<String, JudgePrompt> all = JudgePrompt.load(prompts);
        boolean pair = answers.size() == 2;
        if (turn != 1 && turn != 2) throw new LoupeException("--turn must be 1 or 2, got " + turn);
        String name = promptName != null ? promptName : (pair ? "pair-v2" : "single-v1") + (turn == 2 ? "-multi-turn" : "");
        JudgePrompt p = all.get(name);
        if (p == null) throw new LoupeException(prompts + ": no judge prompt named '" + name + "' (have: " + String.join(", ", all.keySet()) + ")");
        if (!(pair ? "pairwise" : "single").equals(p.type())) throw new LoupeException("judge prompt '" + name + "' is " + p.type() + ", not " + (pair ? "pairwise" : "single"));
        PrintWriter out = spec.commandLine().getOut();
        LanguageModel opened = backend.open();
        if (cache != null) opened = new CachingLanguageModel(opened, new ResponseCache(cache));
        try (LanguageModel lm = opened) {
            Judge judge = new Judge(lm, maxTokens, references == null ? Map.of() : References.load(references));
            List<Answer> a = AnswerFiles.read(answers.get(0));
            if (pair) {
                List<Answer> b = AnswerFiles.read(answers.get(1));
                var pairs = PairwiseComparison.compare(judge, p, a, b);
                out.print(JudgeReport.render(JudgeReport.summarize(pairs, judge.name(), modelOf(a), modelOf(b))));
                writeJsonl(pairs);
            } else {
                String warn = JudgeReport.selfPreference(judge.name(), modelOf(a));
                if (warn != null) out.println(warn);
                var s = SingleGrading.grade(judge, p, a);
                out.printf(Locale.ROOT, "graded %d answers: mean rating %.2f (%d without a parsable [[rating]])%n",
                        s.grades().size(), s.meanRating(), s.unparsed());
                writeJsonl(s.grades());
            }
        }
        return 0;
    }

    private void writeJsonl(List<?> rows) {
        if (outFile == null) return;
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        StringBuilder sb = new StringBuilder();
        try {
            for (Object r : rows) sb.append(json.writeValueAsString(r)).append('\n');
            dev.loupe.eval.run.RunFiles.writeAtomically(outFile, sb.toString());
        } catch (java.io.IOException e) {
            throw new LoupeException("cannot write " + outFile + ": " + e.getMessage(), e);
        }
        spec.commandLine().getOut().println("wrote " + outFile);
    }

    private static String modelOf(List<Answer> a) {
        return a.isEmpty() ? null : a.getFirst().model();
    }
}
