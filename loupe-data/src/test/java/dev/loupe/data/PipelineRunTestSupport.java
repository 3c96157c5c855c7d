package dev.loupe.data;

import dev.loupe.data.io.Compression;
import dev.loupe.data.io.DocReader;
import dev.loupe.data.io.DocWriter;
import dev.loupe.data.io.OutputFormat;
import dev.loupe.data.step.Step;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/** Shared fixtures for runner tests in other packages. */
public final class PipelineRunTestSupport {
    private PipelineRunTestSupport() {}

    public static List<Step> steps() {
        return PipelineRunTest.steps();
    }

    public static void corpus(Path dir, int shards, int docsPerShard, long seed) throws IOException {
        TestCorpus.write(dir, shards, docsPerShard, seed);
    }

    /** Copies each JSONL shard of {@code from} into a Parquet file of the same documents in {@code to}. */
    public static void toParquet(Path from, Path to) throws IOException {
        List<String> files = dev.loupe.data.run.InputFiles.expand(new dev.loupe.data.pipeline.InputSpec(List.of(from.toString()), null, null, null));
        for (int i = 0; i < files.size(); i++) {
            try (DocWriter w = DocWriter.open(to.resolve("part-%02d.parquet".formatted(i)), OutputFormat.PARQUET, Compression.ZSTD)) {
                new DocReader(null, "text", "id").read(Path.of(files.get(i)), i, w::write, e -> { throw new AssertionError(e.toString()); });
                w.commit();
            }
        }
    }

    public static TreeMap<String, byte[]> outputs(Path dir) throws IOException {
        return PipelineRunTest.outputs(dir);
    }
}
