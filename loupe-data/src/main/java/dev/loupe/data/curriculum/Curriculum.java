package dev.loupe.data.curriculum;

import dev.loupe.data.Document;
import dev.loupe.data.io.DocReader;
import dev.loupe.data.io.DocWriter;
import dev.loupe.data.io.InputError;
import dev.loupe.data.pipeline.InputSpec;
import dev.loupe.data.run.InputFiles;
import dev.loupe.core.LoupeException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Curriculum ordering (Bengio et al. 2009, "Curriculum Learning"): a data set sorted from easy to hard by a
 * difficulty score, usually a proxy model's loss, for a training run to read in that order. Ties keep input
 * order (shard, then position), so the output is deterministic; unscorable documents (NaN) go last. Sorting is
 * global, so this is a command over a finished data set rather than a pipeline step: it holds the documents in
 * memory and writes one file, atomically.
 */
public final class Curriculum {
    private Curriculum() {}

    /** One document with its difficulty. */
    public record Scored(Document doc, double difficulty) {}

    /** Scores every document (on {@code workers} threads) and returns them easy first. */
    public static List<Scored> order(List<Document> docs, Difficulty difficulty, int workers) {
        double[] scores = new double[docs.size()];
        try (ForkJoinPool pool = new ForkJoinPool(Math.max(1, workers))) {
            pool.submit(() -> IntStream.range(0, docs.size()).parallel()
                    .forEach(i -> scores[i] = difficulty.of(docs.get(i)))).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Integer[] idx = IntStream.range(0, docs.size()).boxed().toArray(Integer[]::new);
        // Double.compare puts NaN after every number; the sort is stable, so ties keep input order.
        Arrays.sort(idx, Comparator.comparingDouble(i -> scores[i]));
        List<Scored> out = new ArrayList<>(docs.size());
        for (int i : idx) out.add(new Scored(docs.get(i), scores[i]));
        return out;
    }

    /** Reads {@code input} (any format the readers know), orders it, writes {@code output} with a {@code difficulty} field. */
    public static int run(InputSpec input, Difficulty difficulty, Path output, int workers) {
        List<Document> docs = new ArrayList<>();
        List<String> files = InputFiles.dataFiles(input);
        DocReader reader = new DocReader(input.format(), input.textKey(), input.idKey());
        for (int s = 0; s < files.size(); s++) {
            reader.read(Path.of(files.get(s)), s, docs::add, (InputError e) -> {
                throw new LoupeException(e.toString());
            });
        }
        List<Scored> ordered = order(docs, difficulty, workers);
        try (DocWriter w = DocWriter.open(output)) {
            for (Scored s : ordered) {
                double v = s.difficulty();
                w.write(Double.isNaN(v) ? s.doc() : s.doc().with("difficulty", Math.round(v * 1e4) / 1e4));
            }
            w.commit();
        }
        return ordered.size();
    }
}
