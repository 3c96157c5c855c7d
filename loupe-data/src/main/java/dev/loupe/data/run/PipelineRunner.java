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
        List<Step> declared = spec.steps();
        for (int i = 0; i < declared.size(); ) {
            if (declared.get(i) instanceof DocStep d) {
                planned.add(d);
                i++;
                continue;
            }
            // A run of consecutive global steps shares one signature pass (see planRun).
            int end = i;
            while (end < declared.size() && declared.get(end) instanceof GlobalStep<?>) end++;
            i += planRun(proc, all, state, declared, i, end, planned, planCounters);
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

    /**
     * Plans global steps {@code from..end-1} (consecutive in the pipeline) and appends their plans to
     * {@code planned}; returns how many it planned. One pass computes the signatures of all of them on the text
     * reaching the first: that is exact as long as every plan before the last only drops documents (the usual
     * exact, then MinHash, then line dedup), because dropping changes which documents arrive but not their text.
     * Signatures of documents an earlier plan drops are discarded before the next plan. A plan that changes text
     * ends the shared pass; the steps after it get a pass of their own.
     */
    private int planRun(ShardProcessor proc, List<Integer> shards, RunState state, List<Step> declared, int from, int end,
                        List<DocStep> planned, Map<String, Counters> planCounters) {
        List<GlobalStep<?>> globals = new ArrayList<>();
        for (int i = from; i < end; i++) globals.add((GlobalStep<?>) declared.get(i));
        List<List<List<GlobalStep.Signed<?>>>> perShard = null; // [shard][global - base][doc], only if a plan is missing
        int base = 0;
        java.util.Set<dev.loupe.data.DocKey> dropped = new java.util.HashSet<>();
        for (int k = 0; k < globals.size(); k++) {
            GlobalStep<?> g = globals.get(k);
            RunState.Plan p = state.plan(from + k).orElse(null);
            if (p == null) {
                if (perShard == null) {
                    List<DocStep> before = List.copyOf(planned);
                    List<GlobalStep<?>> gs = List.copyOf(globals.subList(k, globals.size()));
                    perShard = new ArrayList<>(executor.map(shards, shard -> proc.signatures(shard, before, gs)));
                    base = k;
                }
                p = plan(g, k - base, perShard, dropped);
                state.savePlan(from + k, p);
            }
            planCounters.put(g.name(), p.counters());
            planned.add(p.step());
            if (p.step() instanceof dev.loupe.data.dedup.DropKeys dk) {
                dropped.addAll(dk.drop());
            } else if (k + 1 < globals.size()) {
                return k + 1; // text may have changed: the remaining global steps need a fresh pass
            }
        }
        return globals.size();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static RunState.Plan plan(GlobalStep g, int k, List<List<List<GlobalStep.Signed<?>>>> perShard,
                                      java.util.Set<dev.loupe.data.DocKey> dropped) {
        List<GlobalStep.Signed> sigs = new ArrayList<>();
        for (List<List<GlobalStep.Signed<?>>> shard : perShard) { // shard order, then file order: what "first" means
            for (GlobalStep.Signed<?> s : shard.get(k)) if (!dropped.contains(s.key())) sigs.add(s);
        }
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
