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
                "  loupe data curriculum out/ -m proxy.gguf -o ordered.jsonl.gz   easy to hard by proxy-model loss",
                "  loupe data synth seeds.txt -m model.gguf --check arithmetic --vote 0.6 -o synth.jsonl"},
        subcommands = {DataCommand.Run.class, DataCommand.Stats.class, DataCommand.Report.class, DataCommand.CurriculumCmd.class,
                DataCommand.Synth.class})
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
            out.flush(); // print() does not trigger the writer's autoflush, and Main exits right after
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

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = {"Generate synthetic data from seed prompts and keep only what passes a consistency check:",
                    "--check arithmetic evaluates every 'EXPR = N' a sample states (all must hold, at least one must exist);",
                    "--vote F keeps a prompt only if at least F of its samples agree on the final answer (self-consistency).",
                    "Sample i uses seed --seed + i, so a run is reproducible. Writes one JSONL (or .parquet) file."},
            footer = {"", "Examples:",
                    "  loupe data synth seeds.txt -m model.gguf --samples 5 --vote 0.6 -o synth.jsonl",
                    "  loupe data synth seeds.jsonl --server http://127.0.0.1:8080 --check arithmetic -o math.jsonl.gz",
                    "", "Seeds: a text file with one prompt per paragraph (blank line between), or JSONL with a 'text' field."})
    static final class Synth implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SEEDS", description = "Seed prompts (text: one per paragraph; or JSONL).")
        Path seeds;

        @picocli.CommandLine.Mixin
        EvalBackendOptions backend = new EvalBackendOptions();

        @Option(names = {"-o", "--output"}, required = true, description = "Where to write the kept documents.")
        Path output;

        @Option(names = "--samples", defaultValue = "5", description = "Completions per prompt. Default: ${DEFAULT-VALUE}.")
        int samples;

        @Option(names = "--check", paramLabel = "arithmetic", description = "Executable check applied to each sample: arithmetic.")
        String check;

        @Option(names = "--vote", paramLabel = "F", description = "Self-consistency: keep a prompt if at least this fraction of samples agree.")
        Double vote;

        @Option(names = "--temperature", defaultValue = "0.8", description = "Default: ${DEFAULT-VALUE}.")
        float temperature;

        @Option(names = "--max-tokens", defaultValue = "256", description = "Per sample. Default: ${DEFAULT-VALUE}.")
        int maxTokens;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the first sample. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Override
        public Integer call() {
            if (check != null && !check.equals("arithmetic")) throw new LoupeException("unknown --check '" + check + "' (arithmetic)");
            if (check == null && vote == null) throw new LoupeException("give --check arithmetic, --vote F, or both: unchecked samples are not kept");
            java.util.List<String> prompts = new java.util.ArrayList<>();
            new dev.loupe.data.io.DocReader(null, "text", "id").read(seeds, 0, d -> prompts.add(d.text()),
                    e -> { throw new LoupeException(e.toString()); });
            if (prompts.isEmpty()) throw new LoupeException(seeds + ": no prompts");
            var params = dev.loupe.core.sample.SamplingParams.defaults().withTemperature(temperature).withMaxTokens(maxTokens).withSeed(seed);
            var options = new dev.loupe.data.synth.SyntheticData.Options(samples, params, check != null, vote);
            dev.loupe.data.synth.SyntheticData.Result r;
            try (dev.loupe.core.lm.LanguageModel lm = backend.open()) {
                r = dev.loupe.data.synth.SyntheticData.generate(prompts, lm, options);
            }
            try (var w = dev.loupe.data.io.DocWriter.open(output)) {
                r.kept().forEach(w::write);
                w.commit();
            }
            PrintWriter out = spec.commandLine().getOut();
            r.stats().getCounters().forEach((k, v) -> out.printf("%-40s %,d%n", k, v));
            out.println(output);
            return 0;
        }
    }
}
