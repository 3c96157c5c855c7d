package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static dev.loupe.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code loupe bench --vs LLAMA_BENCH}: the reference's JSON is read as llama-bench writes it (a real output, see
 * test resource llama-bench/README.md), it is run with Loupe's settings, and both are printed side by side.
 * The program run here is a stand-in shell script that records its arguments and environment and prints that real
 * output back, so the test needs no llama.cpp build.
 */
class BenchVsTest {
    @TempDir
    Path tmp;

    private static String realOutput() throws Exception {
        try (InputStream in = BenchVsTest.class.getResourceAsStream("/llama-bench/shakespeare.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parsesLlamaBenchJsonIntoTheSameStatisticsItPrints() throws Exception {
        String json = realOutput();
        List<BenchResult> results = LlamaBench.parse(json);
        assertThat(results).extracting(BenchResult::test).containsExactly("pp8", "tg4", "pp8", "tg4");
        assertThat(results).extracting(BenchResult::depth).containsExactly(0, 0, 16, 16);
        // Our mean and sample standard deviation of its samples_ts agree with its own avg_ts and stddev_ts (which it
        // computed from unrounded samples; samples_ts are printed to ~6 digits).
        JsonNode tests = new ObjectMapper().readTree(json);
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).threads()).isEqualTo(tests.get(i).get("n_threads").asInt());
            assertThat(results.get(i).tokensPerSecond()).isCloseTo(tests.get(i).get("avg_ts").asDouble(), within(0.01));
            assertThat(results.get(i).stddev()).isCloseTo(tests.get(i).get("stddev_ts").asDouble(), within(0.01));
        }
    }

    @Test
    void commandCarriesLoupesSettings() {
        Path exe = Path.of("/opt/llama/llama-bench"), m = Path.of("m.gguf");
        assertThat(LlamaBench.command(exe, m, 2, 512, 128, 3, List.of(0), "f16", "f16"))
                .containsExactly("/opt/llama/llama-bench", "-m", "m.gguf", "-t", "2", "-p", "512", "-n", "128", "-r", "3", "-o", "json");
        assertThat(LlamaBench.command(exe, m, 1, 0, 32, 1, List.of(0, 1024), "Q8_0", "f16"))
                .containsSubsequence("-d", "0,1024").containsSubsequence("-ctk", "q8_0").doesNotContain("-ctv");
    }

    @Test
    void runsTheProgramAndPrintsBothSideBySide() throws Exception {
        Path json = Files.writeString(tmp.resolve("out.json"), realOutput());
        Path args = tmp.resolve("args.txt");
        Path exe = script("llama-bench", "echo \"$@\" > " + args + "\necho \"$LD_LIBRARY_PATH\" >> " + args + "\ncat " + json + "\n");
        Path model = QuantizeBenchCliTest.model("tiny-llama-f32.gguf");
        CliTest.Result r = run("bench", "-m", model.toString(), "-t", "1", "-p", "8", "-n", "4", "-d", "0,16", "-r", "1", "--vs", exe.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> recorded = Files.readAllLines(args);
        assertThat(recorded.get(0)).isEqualTo("-m " + model + " -t 1 -p 8 -n 4 -r 1 -o json -d 0,16");
        assertThat(recorded.get(1)).startsWith(tmp.toString()); // its own directory first, for its shared libraries
        List<String> rows = r.out().lines().filter(l -> l.startsWith("| tiny-llama")).toList();
        assertThat(rows).hasSize(4);
        // Row pp8 at depth 0: the reference's 2140.87 ± 795.93 beside Loupe's own number, and their ratio.
        String[] cells = rows.get(0).split("\\|");
        assertThat(cells[3].trim()).isEqualTo("pp8");
        assertThat(cells[4].trim()).isEqualTo("2140.87 ± 795.93");
        double loupe = Double.parseDouble(cells[5].trim().split(" ")[0]);
        assertThat(Double.parseDouble(cells[6].trim().replace("x", ""))).isCloseTo(loupe / 2140.872, within(0.006));
        assertThat(rows.get(3).split("\\|")[3].trim()).isEqualTo("tg4 @ d16");

        CliTest.Result j = run("bench", "-m", model.toString(), "-t", "1", "-p", "8", "-n", "4", "-d", "0,16", "-r", "1", "--json", "--vs", exe.toString());
        assertThat(j.code()).as(j.err()).isZero();
        JsonNode a = new ObjectMapper().readTree(j.out());
        assertThat(a.get(1).get("test").asText()).isEqualTo("tg4");
        assertThat(a.get(1).get("llama_cpp_tokens_per_s").asDouble()).isCloseTo(699.258, within(0.01));
        assertThat(a.get(1).get("ratio").asDouble())
                .isCloseTo(a.get(1).get("tokens_per_s").asDouble() / 699.258, within(0.002));
    }

    @Test
    void rooflineStatesDecodeAsAShareOfTheBandwidthBound() throws Exception {
        Path model = QuantizeBenchCliTest.model("tiny-llama-f32.gguf");
        CliTest.Result j = run("bench", "-m", model.toString(), "-t", "2", "-p", "8", "-n", "4", "-r", "1", "--json", "--roofline");
        assertThat(j.code()).as(j.err()).isZero();
        JsonNode a = new ObjectMapper().readTree(j.out());
        assertThat(a.get(0).has("roofline_fraction")).isFalse(); // pp8: prompt processing is not bandwidth-bound
        JsonNode tg = a.get(1);
        double bound = tg.get("read_bandwidth_bytes_per_s").asDouble() / tg.get("read_bytes_per_token").asDouble();
        assertThat(tg.get("roofline_fraction").asDouble()).isCloseTo(tg.get("tokens_per_s").asDouble() / bound, within(0.001));
        CliTest.Result t = run("bench", "-m", model.toString(), "-t", "1", "-p", "0", "-n", "4", "-r", "1", "--roofline");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).containsPattern("roofline: [0-9.]+ GB/s read with 1 thread; a token reads [0-9.]+ MB")
                .containsPattern("tg4 +Loupe [0-9.]+ t/s = [0-9.]+ GB/s = [0-9]+% of the bound");
    }

    @Test
    void rooflineOnAFileUnderOneMebibyteIsOneLine() throws Exception {
        Path small = Files.write(tmp.resolve("small.gguf"), new byte[4096]);
        assertOneLine(run("bench", "-m", small.toString(), "-p", "8", "-n", "0", "--roofline"), "1 MiB or more");
    }

    @Test
    void aMissingOrFailingProgramIsOneLine() throws Exception {
        String model = QuantizeBenchCliTest.model("tiny-llama-f32.gguf").toString();
        assertOneLine(run("bench", "-m", model, "-p", "8", "-n", "0", "--vs", tmp.resolve("nope").toString()), "no such program");
        Path failing = script("failing", "echo 'error: failed to load model' >&2\nexit 3\n");
        assertOneLine(run("bench", "-m", model, "-p", "8", "-n", "0", "--vs", failing.toString()), "exited with 3: error: failed to load model");
        Path chatty = script("chatty", "echo 'hello'\n");
        assertOneLine(run("bench", "-m", model, "-p", "8", "-n", "0", "--vs", chatty.toString()), "not llama-bench's JSON");
        Path notExecutable = Files.writeString(tmp.resolve("plain"), "#!/bin/sh\n");
        assertOneLine(run("bench", "-m", model, "-p", "8", "-n", "0", "--vs", notExecutable.toString()), "not executable");
    }

    private Path script(String name, String body) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static void assertOneLine(CliTest.Result r, String fragment) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("reference: ")).toList();
        assertThat(lines).as(r.err()).hasSize(1);
        assertThat(lines.get(0)).contains(fragment);
    }
}
