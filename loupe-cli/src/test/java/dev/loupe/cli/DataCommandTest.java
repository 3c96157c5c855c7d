package dev.loupe.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code loupe data}: a pipeline from YAML, stats, report; corrupt input with --strict is exit code 2, one line. */
class DataCommandTest {
    @TempDir
    Path tmp;

    static CliTest.Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliTest.Result(code, out.toString(), err.toString());
    }

    @Test
    void runStatsAndReport() throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            String text = i % 3 == 0 ? "Short." : "Document %d says hello to the world and mails a@b.org about it.".formatted(i % 5);
            jsonl.append("{\"id\":\"").append(i).append("\",\"text\":\"").append(text).append("\"}\n");
        }
        Files.writeString(tmp.resolve("in.jsonl"), jsonl);
        Files.writeString(tmp.resolve("p.yaml"), """
                input: {paths: [in.jsonl]}
                output: {dir: out, compression: none}
                steps:
                  - {type: length, min_chars: 10}
                  - {type: pii}
                  - {type: exact_dedup}
                """);
        CliTest.Result r = run("data", "run", tmp.resolve("p.yaml").toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("30 documents read, 5 written").contains("exact_dedup").contains("pii:email=20");
        CliTest.Result s = run("data", "stats", tmp.resolve("out").toString());
        assertThat(s.code()).isZero();
        assertThat(s.out()).contains("5 documents");
        CliTest.Result h = run("data", "report", tmp.resolve("out").toString(), "-o", tmp.resolve("r.html").toString());
        assertThat(h.code()).isZero();
        assertThat(Files.readString(tmp.resolve("r.html"))).contains("&lt;EMAIL&gt;").doesNotContain("<script");
    }

    @Test
    void strictCorruptInputIsExitTwoWithFileAndLine() throws Exception {
        Files.writeString(tmp.resolve("in.jsonl"), "{\"text\":\"fine\"}\n{not json\n");
        Files.writeString(tmp.resolve("p.yaml"), "input: {paths: [in.jsonl]}\noutput: {dir: out}\n");
        CliTest.Result r = run("data", "run", tmp.resolve("p.yaml").toString(), "--strict");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("in.jsonl:2: bad_json");
        CliTest.Result lenient = run("data", "run", tmp.resolve("p.yaml").toString());
        assertThat(lenient.code()).isZero();
        // (the skipped line is also printed to the process's stderr, by whichever thread or executor read it)
        assertThat(lenient.out()).contains("corrupt:bad_json=1");
    }

    @Test
    void badPipelineIsExitTwo() throws Exception {
        Files.writeString(tmp.resolve("p.yaml"), "input: {paths: [nowhere.jsonl]}\noutput: {dir: out}\n");
        CliTest.Result r = run("data", "run", tmp.resolve("p.yaml").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("nowhere.jsonl");
    }

    @Test
    void curriculumOrdersByAFieldIntoParquetAndSynthNeedsACheck() throws Exception {
        Files.writeString(tmp.resolve("in.jsonl"), """
                {"id":"a","text":"hard","score":3.5}
                {"id":"b","text":"easy","score":0.5}
                {"id":"c","text":"middle","score":2}
                """);
        Path ordered = tmp.resolve("ordered.parquet");
        CliTest.Result r = run("data", "curriculum", tmp.resolve("in.jsonl").toString(), "--by", "score", "-o", ordered.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("3 documents");
        CliTest.Result s = run("data", "stats", tmp.toString());
        assertThat(s.code()).isZero();
        java.util.List<String> ids = new java.util.ArrayList<>();
        new dev.loupe.data.io.DocReader(null, "text", "id").read(ordered, 0, d -> ids.add(d.id()), e -> { throw new AssertionError(e.toString()); });
        assertThat(ids).containsExactly("b", "c", "a");
        assertThat(run("data", "curriculum", tmp.resolve("in.jsonl").toString(), "-o", ordered.toString()).code()).isEqualTo(2);

        Files.writeString(tmp.resolve("seeds.txt"), "Q: 2 + 2?\n");
        CliTest.Result synth = run("data", "synth", tmp.resolve("seeds.txt").toString(), "-o", tmp.resolve("s.jsonl").toString());
        assertThat(synth.code()).isEqualTo(2);
        assertThat(synth.err()).contains("--check arithmetic, --vote F");
    }
}
