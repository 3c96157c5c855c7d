package dev.loupe.data.run;

import dev.loupe.core.LoupeException;
import dev.loupe.data.Document;
import dev.loupe.data.io.DocReader;
import dev.loupe.data.io.InputError;
import dev.loupe.data.io.InputErrors;
import dev.loupe.data.io.DocWriter;
import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Example;
import dev.loupe.data.step.GlobalStep;
import dev.loupe.data.step.Outcome;
import dev.loupe.data.step.StepStats;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs documents of one shard through a list of per-document steps. Used for both passes: collecting a global
 * step's signatures (steps before it, then the signature) and the final pass (all steps, then the writer).
 * Serializable with everything it holds, so a Spark executor runs exactly this code.
 */
public final class ShardProcessor implements Serializable {
    /** Warnings about corrupt input printed per shard before only counting them. */
    private static final int MAX_WARNINGS = 10;

    private final PipelineSpec spec;
    private final List<String> files;
    private final boolean strict;
    private final InjectedFault fault;

    public ShardProcessor(PipelineSpec spec, List<String> files, boolean strict, InjectedFault fault) {
        this.spec = spec;
        this.files = List.copyOf(files);
        this.strict = strict;
        this.fault = fault;
    }

    public List<String> files() {
        return files;
    }

    public Path outputFile(int shard) {
        return Path.of(spec.output().dir()).resolve(spec.output().format().fileName(shard, spec.output().compression()));
    }

    /**
     * Signatures, for each of the global steps {@code gs}, of the documents that pass {@code before}; computed on
     * the same text for all of them (the runner only groups steps for which that is exact).
     */
    public ArrayList<List<GlobalStep.Signed<?>>> signatures(int shard, List<DocStep> before, List<GlobalStep<?>> gs) {
        ArrayList<List<GlobalStep.Signed<?>>> out = new ArrayList<>();
        for (int i = 0; i < gs.size(); i++) out.add(new ArrayList<>());
        run(shard, before, new StepStats("read", 0), statsFor(before, 0), d -> {
            for (int i = 0; i < gs.size(); i++) out.get(i).add(new GlobalStep.Signed<>(d.key(), gs.get(i).signature(d)));
        }, null, false);
        return out;
    }

    /** The final pass: every step, then the shard's output file, written atomically. */
    public ShardResult process(int shard, List<DocStep> steps, Progress progress) {
        int ex = spec.output().examples();
        StepStats read = new StepStats("read", ex);
        List<StepStats> stats = statsFor(steps, ex);
        StepStats write = new StepStats("write", 0);
        try (DocWriter w = DocWriter.open(outputFile(shard), spec.output().format(), spec.output().compression())) {
            run(shard, steps, read, stats, d -> {
                w.write(d);
                write.counters().inc("documents");
                write.counters().add("chars", d.text().length());
            }, progress, true);
            w.commit();
        }
        List<StepStats> all = new ArrayList<>();
        all.add(read);
        all.addAll(stats);
        all.add(write);
        return new ShardResult(shard, files.get(shard), all);
    }

    private static List<StepStats> statsFor(List<DocStep> steps, int examples) {
        return steps.stream().map(s -> new StepStats(s.name(), examples)).toList();
    }

    private void run(int shard, List<DocStep> steps, StepStats read, List<StepStats> stats, Consumer<Document> sink,
                     Progress progress, boolean finalPass) {
        String file = files.get(shard);
        DocReader reader = new DocReader(spec.input().format(), spec.input().textKey(), spec.input().idKey());
        long[] n = {0};
        reader.read(Path.of(file), shard, doc -> {
            if (finalPass && fault != null && fault.shard() == shard && n[0] == fault.afterDocs())
                throw new InjectedFault.Failure("injected failure in shard " + shard + " after " + n[0] + " documents");
            n[0]++;
            read.counters().inc("documents");
            if (progress != null) progress.document();
            Document d = doc;
            for (int i = 0; i < steps.size() && d != null; i++) d = apply(steps.get(i), stats.get(i), d);
            if (d != null) sink.accept(d);
        }, errors(read));
        if (progress != null) progress.shardDone();
    }

    private InputErrors errors(StepStats read) {
        return (InputError e) -> {
            if (strict) throw new LoupeException(e + " (run without --strict to count and skip it)");
            String kind = e.kind().name().toLowerCase(java.util.Locale.ROOT);
            long seen = read.count("corrupt");
            read.counters().inc("corrupt");
            read.counters().inc("corrupt:" + kind);
            read.example(Example.of(kind, e.file() + ":" + e.line(), e.message(), null));
            if (seen < MAX_WARNINGS) System.err.println("loupe: skipped " + e);
            else if (seen == MAX_WARNINGS) System.err.println("loupe: more corrupt input in " + e.file() + "; see stats.json");
        };
    }

    private static Document apply(DocStep step, StepStats st, Document d) {
        st.counters().inc("in");
        Outcome o = step.apply(d, st.counters());
        return switch (o) {
            case Outcome.Drop(String reason) -> {
                st.counters().inc("dropped");
                st.counters().inc("dropped:" + reason);
                st.example(Example.of(reason, d.id(), d.text(), null));
                yield null;
            }
            case Outcome.Keep(Document k) -> {
                st.counters().inc("kept");
                if (!k.text().equals(d.text())) {
                    st.counters().inc("changed");
                    st.example(Example.of("changed", d.id(), d.text(), k.text()));
                }
                yield k;
            }
        };
    }
}
