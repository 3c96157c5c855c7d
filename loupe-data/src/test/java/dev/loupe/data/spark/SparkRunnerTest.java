package dev.loupe.data.spark;

import dev.loupe.data.io.Compression;
import dev.loupe.data.pipeline.InputSpec;
import dev.loupe.data.pipeline.OutputSpec;
import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.run.PipelineRunner;
import dev.loupe.data.run.RunOptions;
import dev.loupe.data.run.RunSummary;
import dev.loupe.data.run.Runners;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Spark 4.1.1 in local mode on JDK 25: the same pipeline writes the same bytes as the local runner. */
class SparkRunnerTest {
    @TempDir
    Path tmp;

    PipelineSpec spec(Path in, Path out) {
        return new PipelineSpec(new InputSpec(List.of(in.toString()), null, null, null),
                dev.loupe.data.PipelineRunTestSupport.steps(), new OutputSpec(out.toString(), Compression.GZIP, 3));
    }

    @Test
    void sparkLocalModeWritesWhatTheLocalRunnerWrites() throws IOException {
        Path in = tmp.resolve("in");
        dev.loupe.data.PipelineRunTestSupport.corpus(in, 4, 40, 9);
        RunSummary local = Runners.runLocal(spec(in, tmp.resolve("local")), RunOptions.defaults().withWorkers(2));
        RunSummary spark;
        try (SparkExecutor ex = SparkExecutor.local(2)) {
            spark = new PipelineRunner(ex, RunOptions.defaults()).run(spec(in, tmp.resolve("spark")));
        }
        assertThat(spark.runner()).isEqualTo("spark");
        TreeMap<String, byte[]> a = dev.loupe.data.PipelineRunTestSupport.outputs(tmp.resolve("local"));
        TreeMap<String, byte[]> b = dev.loupe.data.PipelineRunTestSupport.outputs(tmp.resolve("spark"));
        assertThat(a).hasSize(4);
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((k, v) -> assertThat(b.get(k)).as(k).isEqualTo(v));
        assertThat(spark.steps()).usingRecursiveFieldByFieldElementComparator().isEqualTo(local.steps());
    }
}
