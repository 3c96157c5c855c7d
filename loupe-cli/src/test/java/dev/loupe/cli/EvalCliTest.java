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
    void passAtKWithoutASandboxAndABadTurnAreOneLineErrors() {
        Path data = Path.of(System.getProperty("loupe.shared"), "data");
        CliTest.Result r = CliTest.run("eval", "run", "humaneval", "--data", data.resolve("humaneval/HumanEval.jsonl.gz").toString(),
                "--out", dir.resolve("he").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("runs generated code for pass@k, and no sandbox is available");
        assertThat(dir.resolve("he")).doesNotExist();
        CliTest.Result turn = CliTest.run("eval", "judge", "--prompts", data.resolve("mt_bench/judge_prompts.jsonl").toString(),
                "--turn", "3", dir.toString());
        assertThat(turn.code()).isEqualTo(2);
        assertThat(turn.err()).contains("--turn must be 1 or 2");
    }
}
