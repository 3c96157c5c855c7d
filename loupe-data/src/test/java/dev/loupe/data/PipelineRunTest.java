package dev.loupe.data;

import dev.loupe.core.LoupeException;
import dev.loupe.data.dedup.ExactDedup;
import dev.loupe.data.dedup.LineDedup;
import dev.loupe.data.dedup.MinHashDedup;
import dev.loupe.data.filter.GopherQualityFilter;
import dev.loupe.data.filter.LengthFilter;
import dev.loupe.data.filter.TextStatsAnnotator;
import dev.loupe.data.io.Compression;
import dev.loupe.data.io.OutputFormat;
import dev.loupe.data.pii.PiiRedactor;
import dev.loupe.data.pipeline.InputSpec;
import dev.loupe.data.pipeline.OutputSpec;
import dev.loupe.data.pipeline.PipelineLoader;
import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.run.InjectedFault;
import dev.loupe.data.run.RunOptions;
import dev.loupe.data.run.RunSummary;
import dev.loupe.data.run.Runners;
import dev.loupe.data.step.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineRunTest {
    @TempDir
    Path tmp;

    static List<Step> steps() {
        // The language step annotates only (min_confidence 0, no keep list): it runs in the local == Spark checks.
        return List.of(new LengthFilter(null, 50, null), new TextStatsAnnotator(null), GopherQualityFilter.defaults(),
                new dev.loupe.data.lang.LanguageFilter(null, null, 0.0),
                new PiiRedactor(null), new ExactDedup(null), MinHashDedup.withThreshold(0.8), new LineDedup(null, null));
    }

    PipelineSpec spec(Path in, Path out) {
        return spec(in, out, OutputFormat.JSONL);
    }

    PipelineSpec spec(Path in, Path out, OutputFormat format) {
        return new PipelineSpec(new InputSpec(List.of(in.toString()), null, null, null), steps(),
                new OutputSpec(out.toString(), format, Compression.GZIP, 3));
    }

    static TreeMap<String, byte[]> outputs(Path dir) throws IOException {
        TreeMap<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d{5}\\.(jsonl|parquet).*")).toList())
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return m;
    }

    @Test
    void runsAndCountsEveryStep() throws IOException {
        TestCorpus.write(tmp.resolve("in"), 4, 50, 1);
        RunSummary s = Runners.runLocal(spec(tmp.resolve("in"), tmp.resolve("out")), RunOptions.defaults().withWorkers(2));
        assertThat(s.documentsIn()).isEqualTo(200);
        assertThat(s.step("length").drops()).containsEntry("too_short", 20L);
        assertThat(s.step("pii").getCounters()).containsEntry("pii:email", 20L).containsEntry("pii:phone", 20L);
        // one exact duplicate per 10 docs, except the very first shard's first block which has none before it
        assertThat(s.step("exact_dedup").count("dropped")).isEqualTo(20L);
        assertThat(s.documentsOut()).isEqualTo(s.step("line_dedup").count("kept"));
        assertThat(outputs(tmp.resolve("out"))).hasSize(4);
        assertThat(Files.readString(tmp.resolve("out/report.html"))).contains("exact_duplicate").doesNotContain("http://", "https://");
    }

    @ParameterizedTest
    @EnumSource(OutputFormat.class)
    void killedRunResumesToIdenticalBytes(OutputFormat format) throws IOException {
        Path in = tmp.resolve("in");
        TestCorpus.write(in, 6, 40, 2);
        Runners.runLocal(spec(in, tmp.resolve("clean"), format), RunOptions.defaults().withWorkers(2));

        Path out = tmp.resolve("resumed");
        RunOptions faulty = RunOptions.defaults().withWorkers(1).withFault(new InjectedFault(3, 17));
        assertThatThrownBy(() -> Runners.runLocal(spec(in, out, format), faulty)).isInstanceOf(InjectedFault.Failure.class);
        assertThat(outputs(out)).containsOnlyKeys(format.fileName(0, Compression.GZIP), format.fileName(1, Compression.GZIP),
                format.fileName(2, Compression.GZIP));

        RunSummary resumed = Runners.runLocal(spec(in, out, format), RunOptions.defaults().withWorkers(2));
        assertThat(resumed.resumedShards()).isEqualTo(3);
        TreeMap<String, byte[]> a = outputs(tmp.resolve("clean")), b = outputs(out);
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((k, v) -> assertThat(b.get(k)).as(k).isEqualTo(v));
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(resumed.documentsIn()).isEqualTo(240); // stats of resumed shards come from their markers
    }

    @Test
    void refusesAnOutputDirOfAnotherPipeline() throws IOException {
        Path in = tmp.resolve("in");
        TestCorpus.write(in, 1, 10, 3);
        Runners.runLocal(spec(in, tmp.resolve("out")), RunOptions.defaults());
        PipelineSpec other = new PipelineSpec(new InputSpec(List.of(in.toString()), null, null, null), List.of(),
                new OutputSpec(tmp.resolve("out").toString(), null, null));
        assertThatThrownBy(() -> Runners.runLocal(other, RunOptions.defaults())).isInstanceOf(LoupeException.class)
                .hasMessageContaining("different pipeline");
    }

    @Test
    void yamlPipelineWithRelativePaths() throws IOException {
        TestCorpus.write(tmp.resolve("data"), 2, 20, 4);
        Files.writeString(tmp.resolve("p.yaml"), """
                input:
                  paths: [data]
                output:
                  dir: out
                  compression: none
                steps:
                  - type: length
                    min_chars: 50
                  - type: gopher_quality
                    min_doc_words: 40
                  - type: minhash_dedup
                    threshold: 0.7
                """);
        PipelineSpec spec = PipelineLoader.load(tmp.resolve("p.yaml"));
        assertThat(spec.steps()).hasSize(3);
        assertThat(((GopherQualityFilter) spec.steps().get(1)).minDocWords()).isEqualTo(40);
        RunSummary s = Runners.runLocal(spec, RunOptions.defaults());
        assertThat(s.documentsOut()).isPositive();
        assertThat(tmp.resolve("out/00000.jsonl")).exists();
    }

    @Test
    void yamlMistakesAreOneLineUserErrors() throws IOException {
        Files.writeString(tmp.resolve("bad.yaml"), "input: {paths: [x]}\noutput: {dir: o}\nsteps:\n  - type: gopher_qualty\n");
        assertThatThrownBy(() -> PipelineLoader.load(tmp.resolve("bad.yaml"))).isInstanceOf(LoupeException.class)
                .hasMessageContaining("gopher_qualty");
        Files.writeString(tmp.resolve("bad2.yaml"), "input: {paths: [x]}\noutput: {dir: o}\nsteps:\n  - type: length\n    min_chras: 3\n");
        assertThatThrownBy(() -> PipelineLoader.load(tmp.resolve("bad2.yaml"))).isInstanceOf(LoupeException.class)
                .hasMessageContaining("min_chras");
    }
}
