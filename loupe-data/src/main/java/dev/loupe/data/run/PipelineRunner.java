package dev.loupe.data.run;

import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.report.HtmlReport;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.GlobalStep;
import dev.loupe.data.step.Step;
import dev.loupe.data.step.StepStats;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Runs a pipeline on any {@link ShardExecutor}. Global steps are planned first, in order: a pass over all shards
 * collects the signatures of the documents that reach the step, the plan is made on the driver and saved. Then
 * one final pass per unfinished shard runs every step and writes the shard. The same code drives threads and
 * Spark, so both give the same bytes.
 */
public final class PipelineRunner {
    private final ShardExecutor executor;
    private final RunOptions options;

    public PipelineRunner(ShardExecutor executor, RunOptions options) {
        this.executor = executor;
        this.options = options;
    }

    public RunSummary run(PipelineSpec spec) {
        long t0 = System.nanoTime();
        List<String> files = InputFiles.expand(spec.input());
        Path out = Path.of(spec.output().dir());
        RunState state = new RunState(out);
        state.claim(spec, files);
        ShardProcessor proc = new ShardProcessor(spec, files, options.strict(), options.fault());
        List<Integer> all = IntStream.range(0, files.size()).boxed().toList();

        Map<String, Counters> planCounters = new LinkedHashMap<>();
        List<DocStep> planned = new ArrayList<>();
        for (int i = 0; i < spec.steps().size(); i++) {
            Step s = spec.steps().get(i);
            switch (s) {
                case DocStep d -> planned.add(d);
                case GlobalStep<?> g -> {
                    RunState.Plan p = state.plan(i).orElse(null);
                    if (p == null) {
                        p = plan(proc, all, List.copyOf(planned), g);
                        state.savePlan(i, p);
                    }
                    planCounters.put(g.name(), p.counters());
                    planned.add(p.step());
                }
            }
        }

        List<ShardResult> results = new ArrayList<>();
        List<Integer> todo = new ArrayList<>();
        for (int s : all) state.done(s).ifPresentOrElse(results::add, () -> todo.add(s));
        int resumed = results.size();
        List<DocStep> steps = List.copyOf(planned);
        try (Progress progress = new Progress(todo.size(), options.progress() && executor.local(), System.err)) {
            Progress pr = executor.local() ? progress : null;
            String outDir = out.toString(); // a Path is not serializable; Spark ships this closure
            // Each shard's marker is written by its own task right after its file is in place: a kill between two
            // shards loses no finished work.
            List<ShardResult> fresh = executor.map(todo, shard -> {
                ShardResult r = proc.process(shard, steps, pr);
                new RunState(Path.of(outDir)).markDone(r);
                return r;
            });
            results.addAll(fresh);
        }
        results.sort(java.util.Comparator.comparingInt(ShardResult::shard));
        RunSummary summary = new RunSummary(executor.local() ? "local" : "spark", files.size(), resumed,
                (System.nanoTime() - t0) / 1e9, merge(results, planCounters, spec.output().examples()));
        write(out, summary);
        return summary;
    }

    private <S extends Serializable> RunState.Plan plan(ShardProcessor proc, List<Integer> shards, List<DocStep> before,
                                                          GlobalStep<S> g) {
        ArrayList<List<GlobalStep.Signed<S>>> perShard = new ArrayList<>(executor.map(shards,
                shard -> new ArrayList<>(proc.signatures(shard, before, g))));
        List<GlobalStep.Signed<S>> sigs = new ArrayList<>();
        perShard.forEach(sigs::addAll); // shard order, then file order: the order the plan's "first" refers to
        Counters c = new Counters();
        DocStep step = g.plan(sigs, c);
        return new RunState.Plan(step, c);
    }

    private static List<StepStats> merge(List<ShardResult> results, Map<String, Counters> planCounters, int examples) {
        Map<String, StepStats> merged = new LinkedHashMap<>();
        for (ShardResult r : results) {
            for (StepStats s : r.steps()) merged.computeIfAbsent(s.getName(), n -> new StepStats(n, examples)).merge(s);
        }
        planCounters.forEach((name, c) -> {
            StepStats s = merged.computeIfAbsent(name, n -> new StepStats(n, examples));
            c.asMap().forEach((k, v) -> s.counters().add("plan:" + k, v));
        });
        return new ArrayList<>(merged.values());
    }

    private static void write(Path out, RunSummary summary) {
        try {
            RunState.write(out.resolve("stats.json"), RunState.JSON.writeValueAsBytes(summary));
            RunState.write(out.resolve("report.html"), HtmlReport.render(summary).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a finished run's {@code stats.json}. */
    public static RunSummary readSummary(Path out) {
        Path f = out.resolve("stats.json");
        try {
            return RunState.JSON.readValue(f.toFile(), RunSummary.class);
        } catch (IOException e) {
            throw new dev.loupe.core.LoupeException(f + ": not a Loupe run's stats (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}
