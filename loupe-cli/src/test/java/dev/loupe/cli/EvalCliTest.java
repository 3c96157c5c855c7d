package dev.loupe.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code loupe eval}: list, a run on the shipped model, report with HTML, and exit 2 with one line on bad input. */
class EvalCliTest {
    @TempDir
    Path dir;

    @Test
    void listShowsBuiltInTasks() {
        CliTest.Result r = CliTest.run("eval", "list");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("arithmetic_mc", "gsm8k", "[needs --data]", "loglikelihood_rolling");
    }

    @Test
    void runThenReportWritesResultsSamplesAndASelfContainedHtmlPage() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        CliTest.Result r = CliTest.run("eval", "run", "facts_mc", "--limit", "3", "--out", a.toString(), "-t", "2", "--bootstrap", "100");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("facts_mc", "acc_norm", "95% CI");
        assertThat(a.resolve("samples.jsonl")).content().hasLineCount(3);
        // Same task again into another folder with the first one's cache: no model work, same numbers.
        CliTest.Result again = CliTest.run("eval", "run", "facts_mc", "--limit", "3", "--out", b.toString(), "--cache",
                a.resolve("cache.jsonl").toString(), "--bootstrap", "100");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(Files.readString(b.resolve("samples.jsonl"))).isEqualTo(Files.readString(a.resolve("samples.jsonl")));

        Path html = dir.resolve("report.html");
        CliTest.Result rep = CliTest.run("eval", "report", a.toString(), b.toString(), "--html", html.toString());
        assertThat(rep.code()).as(rep.err()).isZero();
        String page = Files.readString(html);
        assertThat(page).contains("facts_mc / acc", Path.of(ModelOptions.SHIPPED).getFileName().toString()).doesNotContain("<script", "http://", "https://");
    }

    @Test
    void malformedTaskFileIsExit2WithOneLineNamingFileAndLine() throws Exception {
        Path t = dir.resolve("bad.yaml");
        Files.writeString(t, "name: bad\nrequest: generate_until\nprompt: x\nmetrcs: [exact_match]\n");
        CliTest.Result r = CliTest.run("eval", "run", t.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains(t + " line 4: unknown key 'metrcs'");
        CliTest.Result noData = CliTest.run("eval", "run", "gsm8k");
        assertThat(noData.code()).isEqualTo(2);
        assertThat(noData.err()).contains("needs a data file: pass --data FILE");
    }
    @Test
    void passAtKRunsTheSamplesInTheSandbox() throws Exception {
        // Whatever the stand-in writes lands in a comment (one line, stop at "\n"), so row 1's program always passes
        // and row 2's always exits 3: pass@1 = (2/2 + 0/2) / 2 = 0.5 exactly, with real generation and real sandboxed runs.
        Files.writeString(dir.resolve("rows.jsonl"), """
                {"prompt": "x = 1\\n# "}
                {"prompt": "raise SystemExit(3)\\n# "}
                """);
        Files.writeString(dir.resolve("code.yaml"), """
                name: code
                data: rows.jsonl
                request: generate_until
                prompt: "{{prompt}}"
                generation: {until: ["\\n"], max_tokens: 4, n: 2, temperature: 0.8, seed: 7}
                execute: {language: python, program: "{{prompt}}{{completion}}\\n", timeout_seconds: 10}
                metrics: [pass@1]
                """);
        CliTest.Result r = CliTest.run("eval", "run", dir.resolve("code.yaml").toString(), "--out", dir.resolve("run").toString(),
                "--bootstrap", "20");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("pass@1").contains("0.5000");
        assertThat(Files.readString(dir.resolve("run/samples.jsonl"))).contains("\"correct\":2").contains("\"correct\":0");
    }

    @Test
    void aBadTurnIsAOneLineError() {
        Path data = Path.of(System.getProperty("loupe.shared"), "data");
        CliTest.Result turn = CliTest.run("eval", "judge", "--prompts", data.resolve("mt_bench/judge_prompts.jsonl").toString(),
                "--turn", "3", dir.toString());
        assertThat(turn.code()).isEqualTo(2);
        assertThat(turn.errLines()).hasSize(1);
        assertThat(turn.err()).contains("--turn must be 1 or 2");
    }
}
