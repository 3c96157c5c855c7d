package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code loupe think}: a run's traces and summary, a curve's SVG, reproducibility from the seed, bad input. */
class ThinkCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Path tasks() throws Exception {
        Path t = dir.resolve("add.jsonl");
        Files.writeString(t, """
                {"id": "a", "prompt": "2+3=", "answer": "5"}
                {"id": "b", "prompt": "4+4=", "answer": "8"}
                {"question": "What is 1+1?", "answer": "It is 1+1=2.\\n#### 2"}
                """);
        return t;
    }

    @Test
    void runWritesOneTraceRowPerProblemAndASummaryAndReproduces() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        List<String> args = List.of("think", "run", tasks().toString(), "--strategy", "best-of", "--n", "3", "--max-tokens", "6",
                "--seed", "5", "-t", "1");
        CliTest.Result r = CliTest.run(concat(args, "--out", a.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("best-of@3", "accuracy");
        List<String> rows = Files.readAllLines(a.resolve("traces.jsonl"));
        assertThat(rows).hasSize(3);
        JsonNode first = JSON.readTree(rows.getFirst());
        assertThat(first.get("id").asText()).isEqualTo("a");
        assertThat(first.get("generations").asInt()).isEqualTo(3);
        assertThat(first.get("events").size()).isEqualTo(4);   // three scored candidates and the choice
        assertThat(JSON.readTree(rows.get(2)).get("reference").asText()).isEqualTo("2");   // GSM8K's #### answer
        JsonNode summary = JSON.readTree(a.resolve("summary.json").toFile());
        assertThat(summary.get("problems").asInt()).isEqualTo(3);
        // Compute is counted: each candidate is at most --max-tokens long.
        assertThat(summary.get("tokens_per_problem").asDouble()).isBetween(3.0, 18.0);

        CliTest.Result again = CliTest.run(concat(args, "--out", b.toString()));
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(Files.readString(b.resolve("traces.jsonl"))).isEqualTo(Files.readString(a.resolve("traces.jsonl")));
    }

    @Test
    void curveWritesAnSvgWithALinePerStrategy() throws Exception {
        Path out = dir.resolve("curve");
        CliTest.Result r = CliTest.run("think", "curve", tasks().toString(), "--strategies", "single,majority", "--n", "1,2",
                "--max-tokens", "4", "-t", "1", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String svg = Files.readString(out.resolve("curve.svg"));
        assertThat(svg).startsWith("<svg").contains(">single<", ">majority<");
        assertThat(svg.split("<path ", -1)).hasSize(3);   // two lines
        JsonNode curve = JSON.readTree(out.resolve("curve.json").toFile());
        assertThat(curve.get("runs").size()).isEqualTo(3);   // single once, majority at N=1 and N=2
        assertThat(out.resolve("traces").resolve("majority-2.jsonl")).content().hasLineCount(3);
    }

    @Test
    void badInputIsExit2WithOneLine() throws Exception {
        CliTest.Result unknown = CliTest.run("think", "run", tasks().toString(), "--strategy", "magic", "-t", "1");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.errLines()).hasSize(1);
        assertThat(unknown.err()).contains("unknown strategy 'magic'");
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"answer\": \"1\"}\n");
        CliTest.Result noPrompt = CliTest.run("think", "run", bad.toString(), "-t", "1");
        assertThat(noPrompt.code()).isEqualTo(2);
        assertThat(noPrompt.err()).contains("bad.jsonl:1: needs a \"prompt\"");
        CliTest.Result beam = CliTest.run("think", "run", tasks().toString(), "--strategy", "beam", "--n", "4", "--m", "3", "-t", "1",
                "--out", dir.resolve("x").toString(), "--max-tokens", "2");
        assertThat(beam.code()).as(beam.err()).isZero();   // M is reduced to a divisor of N (2) instead of failing
    }

    static String[] concat(List<String> a, String... more) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
