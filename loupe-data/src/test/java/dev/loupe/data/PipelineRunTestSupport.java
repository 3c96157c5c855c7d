package dev.loupe.data;

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

    public static TreeMap<String, byte[]> outputs(Path dir) throws IOException {
        return PipelineRunTest.outputs(dir);
    }
}
