package dev.loupe.data.spark;

import dev.loupe.data.io.Compression;
import dev.loupe.data.io.OutputFormat;
import dev.loupe.data.pipeline.InputSpec;
import dev.loupe.data.pipeline.OutputSpec;
import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.run.PipelineRunner;
import dev.loupe.data.run.RunOptions;
import dev.loupe.data.run.RunSummary;
import dev.loupe.data.run.Runners;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

    /** One Spark context for the class: starting one is most of a test's time. */
    static SparkExecutor spark2;

    @BeforeAll
    static void startSpark() {
        spark2 = SparkExecutor.local(2);
    }

    @AfterAll
    static void stopSpark() {
        spark2.close();
    }

    PipelineSpec spec(Path in, Path out, OutputFormat format) {
        return new PipelineSpec(new InputSpec(List.of(in.toString()), null, null, null),
                dev.loupe.data.PipelineRunTestSupport.steps(), new OutputSpec(out.toString(), format, Compression.GZIP, 3));
    }

    @Test
    void sparkLocalModeWritesWhatTheLocalRunnerWrites() throws IOException {
        Path in = tmp.resolve("in");
        dev.loupe.data.PipelineRunTestSupport.corpus(in, 4, 40, 9);
        sameOutputs(in, OutputFormat.JSONL);
    }

    @Test
    void sameOnParquetInputAndOutput() throws IOException {
        Path jsonl = tmp.resolve("jsonl");
        dev.loupe.data.PipelineRunTestSupport.corpus(jsonl, 3, 40, 11);
        Path in = tmp.resolve("parquet-in");
        dev.loupe.data.PipelineRunTestSupport.toParquet(jsonl, in);
        sameOutputs(in, OutputFormat.PARQUET);
    }

    private void sameOutputs(Path in, OutputFormat format) throws IOException {
        Path localOut = tmp.resolve("local-" + format.id()), sparkOut = tmp.resolve("spark-" + format.id());
        RunSummary local = Runners.runLocal(spec(in, localOut, format), RunOptions.defaults().withWorkers(2));
        RunSummary spark = new PipelineRunner(spark2, RunOptions.defaults()).run(spec(in, sparkOut, format));
        assertThat(spark.runner()).isEqualTo("spark");
        TreeMap<String, byte[]> a = dev.loupe.data.PipelineRunTestSupport.outputs(localOut);
        TreeMap<String, byte[]> b = dev.loupe.data.PipelineRunTestSupport.outputs(sparkOut);
        assertThat(a).hasSize(dev.loupe.data.run.InputFiles.expand(spec(in, localOut, format).input()).size());
        assertThat(a.keySet()).allMatch(k -> k.contains(format.id()));
        assertThat(local.step("write").count("documents")).isGreaterThan(50);
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((k, v) -> assertThat(b.get(k)).as(k).isEqualTo(v));
        assertThat(spark.steps()).usingRecursiveFieldByFieldElementComparator().isEqualTo(local.steps());
    }
}
