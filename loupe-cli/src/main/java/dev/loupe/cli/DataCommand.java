package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.data.pipeline.PipelineLoader;
import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.report.DatasetStats;
import dev.loupe.data.report.HtmlReport;
import dev.loupe.data.report.TextReport;
import dev.loupe.data.run.PipelineRunner;
import dev.loupe.data.run.RunOptions;
import dev.loupe.data.run.RunSummary;
import dev.loupe.data.run.Runners;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code loupe data}: curation pipelines (loupe-data). */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = {"Curate training data: filter, deduplicate and redact with a pipeline of steps.", ""},
        footer = {"", "Examples:",
                "  loupe data run pipeline.yaml               run locally on all cores; resumes if interrupted",
                "  loupe data run pipeline.yaml --runner spark  the same pipeline on Spark (spark-submit or local mode)",
                "  loupe data stats out/                      what a run did, and the size of its output",
                "  loupe data report out/ -o report.html      the HTML report again",
                "  loupe data curriculum out/ -m proxy.gguf -o ordered.jsonl.gz   easy to hard by proxy-model loss"},
        subcommands = {DataCommand.Run.class, DataCommand.Stats.class, DataCommand.Report.class, DataCommand.CurriculumCmd.class})
final class DataCommand {
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run a pipeline declared in YAML or JSON. Output shards, stats.json and report.html go to output.dir.",
                    "A run that was killed continues where it stopped when started again."})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PIPELINE", description = "The pipeline file (.yaml or .json).")
        Path pipeline;

        @Option(names = "--runner", defaultValue = "local", description = "local (threads) or spark. Default: ${DEFAULT-VALUE}.")
        String runner;

        @Option(names = {"-j", "--workers"}, description = "Parallel shards (default: all cores).")
        Integer workers;

        @Option(names = "--strict", description = "Stop at the first corrupt input (bad JSON, invalid UTF-8, truncated file) instead of counting and skipping it.")
        boolean strict;

        @Option(names = "--no-progress", description = "No progress bar on stderr.")
        boolean noProgress;

        @Override
        public Integer call() {
            PipelineSpec p = PipelineLoader.load(pipeline);
            RunOptions o = new RunOptions(workers != null ? workers : Runtime.getRuntime().availableProcessors(), strict,
                    !noProgress, null);
            RunSummary s = switch (runner) {
                case "local" -> Runners.runLocal(p, o);
                case "spark" -> Runners.runSpark(p, o);
                default -> throw new LoupeException("unknown runner '" + runner + "' (local, spark)");
            };
            PrintWriter out = spec.commandLine().getOut();
            out.print(TextReport.render(s));
            out.println("report: " + Path.of(p.output().dir()).resolve("report.html"));
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = {"Show what a run did (from DIR/stats.json) and the size of the documents in DIR."})
    static final class Stats implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "A run's output folder, or any folder of JSONL/text files.")
        Path dir;

        @Override
        public Integer call() {
            if (!Files.isDirectory(dir)) throw new LoupeException(dir + ": not a directory");
            PrintWriter out = spec.commandLine().getOut();
            if (Files.exists(dir.resolve("stats.json"))) out.print(TextReport.render(PipelineRunner.readSummary(dir)));
            out.print(DatasetStats.of(dir).render());
            return 0;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = {"Write the self-contained HTML report of a run (no scripts, no network)."})
    static final class Report implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "A run's output folder (with stats.json).")
        Path dir;

        @Option(names = {"-o", "--output"}, description = "Where to write it (default: DIR/report.html).")
        Path output;

        @Override
        public Integer call() throws IOException {
            Path target = output != null ? output : dir.resolve("report.html");
            Files.writeString(target, HtmlReport.render(PipelineRunner.readSummary(dir)));
            spec.commandLine().getOut().println(target);
            return 0;
        }
    }

    @Command(name = "curriculum", mixinStandardHelpOptions = true,
            description = {"Order a data set from easy to hard for training: by a proxy model's loss (nats per token over the",
                    "first --max-tokens tokens) or by a numeric metadata field an earlier run wrote. Writes one file",
                    "(.jsonl, .jsonl.gz, .jsonl.zst or .parquet) with the score in metadata 'difficulty'."},
            footer = {"", "Examples:",
                    "  loupe data curriculum out/ -m models/loupe-standin.gguf -o ordered.jsonl.gz",
                    "  loupe data curriculum out/ --by perplexity -o ordered.jsonl      after a run with a perplexity step",
                    "  loupe data curriculum out/ --by learnability --descending -o ordered.parquet"})
    static final class CurriculumCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Files, folders or globs (JSONL, text, Parquet), e.g. a run's output folder.")
        java.util.List<String> inputs;

        @Option(names = {"-o", "--output"}, required = true, description = "The ordered file.")
        Path output;

        @Option(names = {"-m", "--model"}, description = "Proxy model (GGUF): difficulty = its mean next-token loss.")
        Path model;

        @Option(names = "--max-tokens", defaultValue = "256", description = "Tokens of each document the proxy reads. Default: ${DEFAULT-VALUE}.")
        int maxTokens;

        @Option(names = "--by", paramLabel = "FIELD", description = "Order by this numeric metadata field instead of a model.")
        String field;

        @Option(names = "--descending", description = "With --by: larger values are easier (e.g. learnability).")
        boolean descending;

        @Option(names = {"-j", "--workers"}, description = "Scoring threads (default: all cores).")
        Integer workers;

        @Override
        public Integer call() {
            if ((model == null) == (field == null)) throw new LoupeException("give either -m MODEL or --by FIELD");
            dev.loupe.data.curriculum.Difficulty d = field != null
                    ? new dev.loupe.data.curriculum.Difficulty.Field(field, descending)
                    : new dev.loupe.data.curriculum.Difficulty.ProxyLoss(dev.loupe.data.score.ModelLoss.of("curriculum", model.toString(), maxTokens, null));
            var in = new dev.loupe.data.pipeline.InputSpec(inputs, null, null, null);
            int n = dev.loupe.data.curriculum.Curriculum.run(in, d, output,
                    workers != null ? workers : Runtime.getRuntime().availableProcessors());
            spec.commandLine().getOut().println(n + " documents, easy to hard: " + output);
            return 0;
        }
    }
}
