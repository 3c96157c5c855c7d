package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.eval.backend.CachingLanguageModel;
import dev.loupe.eval.backend.ResponseCache;
import dev.loupe.eval.exec.CodeRunner;
import dev.loupe.eval.exec.SandboxRunner;
import dev.loupe.eval.report.HtmlReport;
import dev.loupe.eval.report.SummaryTable;
import dev.loupe.eval.run.Evaluator;
import dev.loupe.eval.run.RunFiles;
import dev.loupe.eval.run.RunResult;
import dev.loupe.eval.task.BuiltinTasks;
import dev.loupe.eval.task.Task;
import dev.loupe.eval.task.TaskSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code loupe eval}: run tasks, list the built-in ones, report and compare runs, judge answers. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a model on tasks (lm-evaluation-harness style).",
        subcommands = {EvalCommand.Run.class, EvalCommand.ListTasks.class, EvalCommand.Report.class, JudgeCommand.class},
        footer = {"", "Examples:",
                "  loupe eval list",
                "  loupe eval run arithmetic_mc --limit 20 --out runs/mc",
                "  loupe eval run gsm8k --data gsm8k/test.jsonl -m model.gguf --limit 50",
                "  loupe eval run facts_mc --server http://127.0.0.1:8080 --rps 5",
                "  loupe eval report runs/a runs/b --html compare.html"})
final class EvalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run a task (built-in name or task file) and write results.json + samples.jsonl.")
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "TASK", description = "Built-in task name (see 'loupe eval list') or a task .yaml/.json file.")
        String task;
        @Mixin
        EvalBackendOptions backend = new EvalBackendOptions();
        @Option(names = "--data", paramLabel = "FILE", description = "Data file (JSONL, .jsonl.gz or .txt) instead of the task's own.")
        Path data;
        @Option(names = "--num-fewshot", paramLabel = "K", description = "Few-shot examples per row, overriding the task's setting.")
        Integer numFewshot;
        @Option(names = "--limit", paramLabel = "N", description = "Only the first N rows.")
        int limit = -1;
        @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: eval-runs/TASK).")
        Path out;
        @Option(names = "--cache", paramLabel = "FILE", description = "Response cache; a rerun resumes from it (default: OUT/cache.jsonl).")
        Path cache;
        @Option(names = "--no-cache", description = "Do not read or write a response cache.")
        boolean noCache;
        @Option(names = "--seed", paramLabel = "N", description = "Bootstrap seed (default: ${DEFAULT-VALUE}).")
        long seed = 1234;
        @Option(names = "--bootstrap", paramLabel = "N", description = "Bootstrap resamples (default: ${DEFAULT-VALUE}).")
        int bootstrap = 1000;

        @Override
        public Integer call() {
            if (limit == 0 || limit < -1) throw new LoupeException("--limit must be positive");
            if (bootstrap < 2) throw new LoupeException("--bootstrap must be at least 2");
            Task resolved = BuiltinTasks.resolve(task, data);
            Task t = numFewshot != null ? resolved.withFewshotK(numFewshot) : resolved;
            Path dir = out != null ? out : Path.of("eval-runs", t.name());
            // pass@k programs run in loupe-sandbox; a machine that cannot confine them fails here, before any work.
            CodeRunner runner = t.executes() ? SandboxRunner.create() : null;
            LanguageModel lm = backend.open();
            CachingLanguageModel cached = noCache ? null
                    : new CachingLanguageModel(lm, new ResponseCache(cache != null ? cache : dir.resolve("cache.jsonl")));
            if (cached != null) lm = cached;
            RunResult r;
            int total = limit < 0 ? t.docs().size() : Math.min(limit, t.docs().size());
            boolean tty = System.console() != null && System.console().isTerminal() && System.getenv("LOUPE_NO_PROGRESS") == null;
            PrintWriter err = spec.commandLine().getErr();
            try (LanguageModel m = lm; RunFiles.SampleWriter w = new RunFiles.SampleWriter(dir)) {
                r = new Evaluator(m, seed, bootstrap, runner).run(t, limit, rec -> {
                    w.accept(rec);
                    if (tty) err.printf("\r%s: %d/%d rows", t.name(), rec.index() + 1, total).flush();
                });
            }
            if (tty) err.println();
            RunFiles.writeResult(dir, r);
            spec.commandLine().getOut().print(SummaryTable.render(List.of(r)));
            // What a resumed run took from the cache: finished requests are reused, never recomputed.
            if (cached != null) {
                spec.commandLine().getOut().printf("cache: %d responses reused, %d computed%s%n", cached.reused(), cached.computed(),
                        cached.tornLines() == 0 ? "" : ", " + cached.tornLines() + " torn line(s) from a killed write skipped");
            }
            spec.commandLine().getOut().printf("wrote %s and %s in %.1f s%n", dir.resolve(RunFiles.RESULTS), dir.resolve(RunFiles.SAMPLES), r.seconds());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the built-in tasks.")
    static final class ListTasks implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            for (String n : BuiltinTasks.NAMES) {
                TaskSpec s = BuiltinTasks.spec(n);
                String needs = s.data() == null && s.generator() == null ? " [needs --data]" : "";
                spec.commandLine().getOut().printf("%-14s %-22s %s%s%n", n, s.request().wireName(), s.description(), needs);
            }
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true, description = "Summarize runs in a table; --html writes a side-by-side comparison page.")
    static final class Report implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "RUN", arity = "1..*", description = "Run folders (or their results.json).")
        List<Path> runs;
        @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report here.")
        Path html;
        @Option(names = "--title", description = "Report title (default: ${DEFAULT-VALUE}).")
        String title = "Loupe evaluation";

        @Override
        public Integer call() throws IOException {
            List<RunResult> rs = runs.stream().map(RunFiles::readResult).toList();
            spec.commandLine().getOut().print(SummaryTable.render(rs));
            if (html != null) {
                RunFiles.writeAtomically(html, HtmlReport.render(title, rs));
                spec.commandLine().getOut().println("wrote " + html);
            }
            return 0;
        }
    }
}
