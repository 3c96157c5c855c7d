package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI's scriptable contract: JSON shapes, exit codes, one-line errors. Runs in-process. */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Path shared() {
        Path p = Path.of(System.getProperty("loupe.shared"));
        assertThat(p.resolve("fixtures")).as("shared fixtures beside the repo").isDirectory();
        return p;
    }

    @Test
    void runJsonReproducesLlamaCppGreedyTokens() throws Exception {
        Path model = shared().resolve("fixtures/models/tiny-llama-f32.gguf");
        JsonNode ref = JSON.readTree(shared().resolve("fixtures/reference/tiny-llama-f32.json").toFile()).get("prompts").get(0);
        Result r = run("run", "-m", model.toString(), "-p", ref.get("prompt").asText(), "-n", "12", "--temp", "0", "--json", "-t", "2");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("prompt_ids")).isEqualTo(ref.get("prompt_ids"));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) expected.add(ref.get("greedy_ids").get(i).asInt());
        List<Integer> got = new ArrayList<>();
        o.get("ids").forEach(n -> got.add(n.asInt()));
        assertThat(got).isEqualTo(expected);
        assertThat(o.get("text").asText()).isNotEmpty();
        assertThat(o.get("prompt_tokens_per_s").asDouble()).isPositive();
        assertThat(o.get("gen_tokens_per_s").asDouble()).isPositive();
    }

    @Test
    void logprobsOfGreedyTokensAreTheTopAlternative() throws Exception {
        Result r = run("run", "-p", "Once upon a time", "-n", "4", "--temp", "0", "--json", "--logprobs", "3");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode lps = JSON.readTree(r.out()).get("logprobs");
        assertThat(lps).hasSize(4);
        for (JsonNode lp : lps) {
            assertThat(lp.get("top_logprobs")).hasSize(3);
            // Greedy picks the most likely token, so it heads the alternatives and its log-probability is <= 0.
            assertThat(lp.get("top_logprobs").get(0).get("id").asInt()).isEqualTo(lp.get("id").asInt());
            assertThat(lp.get("logprob").asDouble()).isLessThanOrEqualTo(0.0)
                    .isGreaterThanOrEqualTo(lp.get("top_logprobs").get(2).get("logprob").asDouble());
        }
    }

    @Test
    void sameSeedSameTextOnTheShippedModel() throws Exception {
        Result a = run("run", "-p", "Once upon a time", "-n", "20", "--seed", "42", "--temp", "0.9", "--json");
        Result b = run("run", "-p", "Once upon a time", "-n", "20", "--seed", "42", "--temp", "0.9", "--json");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(JSON.readTree(a.out()).get("ids")).isEqualTo(JSON.readTree(b.out()).get("ids"));
        assertThat(JSON.readTree(a.out()).get("ids")).hasSize(20);
    }

    @Test
    void streamedRunPrintsPromptThenTextAndSpeed() {
        Result r = run("run", "Once upon a time", "-n", "5", "--seed", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Once upon a time");
        assertThat(r.err()).contains("tokens/s");
    }

    @Test
    void tokenizeJsonMatchesLlamaCppVectors() throws Exception {
        Path vocab = shared().resolve("fixtures/vocab/ggml-vocab-llama-bpe.gguf");
        Result r = run("tokenize", "-m", vocab.toString(), "--json", "--no-bos", "Hello world");
        assertThat(r.code()).as(r.err()).isZero();
        // llama.cpp: "Hello world" -> 9906 1917 (ggml-vocab-llama-bpe.gguf.out)
        assertThat(JSON.readTree(r.out()).get("ids").toString()).isEqualTo("[9906,1917]");
        Result withBos = run("tokenize", "-m", vocab.toString(), "--json", "Hello world");
        assertThat(JSON.readTree(withBos.out()).get("ids").toString()).isEqualTo("[128000,9906,1917]");
    }

    @Test
    void inspectJsonListsTensors() throws Exception {
        Result r = run("inspect", "--json", shared().resolve("fixtures/models/tiny-qwen3-f16.gguf").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("metadata").get("general.architecture").asText()).isEqualTo("qwen3");
        assertThat(o.get("tensors")).hasSize(25);
        assertThat(o.get("tensors").get(0).get("name").asText()).isEqualTo("token_embd.weight");
    }

    @Test
    void corruptFilesGiveOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(shared().resolve("fixtures/models/tiny-llama-q4_0.gguf"));
        Path bad = dir.resolve("bad.gguf");
        // Truncation anywhere: header, metadata, tensor table, data.
        for (int cut : new int[]{0, 3, 4, 10, 24, 100, 1000, 50_000, 400_000, good.length / 2, good.length - 1}) {
            Files.write(bad, java.util.Arrays.copyOf(good, cut));
            for (String cmd : new String[]{"inspect", "run", "tokenize"}) {
                Result r = cmd.equals("inspect") ? run(cmd, bad.toString())
                        : run(cmd, "-m", bad.toString(), "hello");
                assertThat(r.code()).as("%s on a file cut at %d: %s", cmd, cut, r.err()).isEqualTo(2);
                assertThat(r.errLines()).as("%s on a file cut at %d", cmd, cut).hasSize(1);
                assertThat(r.err()).startsWith("loupe: ").doesNotContain("Exception").doesNotContain("\tat ");
            }
        }
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 'X';
        Files.write(bad, wrongMagic);
        assertThat(run("inspect", bad.toString()).err()).contains("not a GGUF file");
    }

    @Test
    void userMistakesExitTwoWithOneLine() {
        assertThat(run("run", "-m", "/nonexistent/model.gguf", "hi").code()).isEqualTo(2);
        assertThat(run("run", "--temp", "abc", "hi").code()).isEqualTo(2);
        assertThat(run("run", "--top-p", "2", "hi").errLines()).hasSize(1);
        assertThat(run("run", "--threads", "0", "hi").code()).isEqualTo(2);
        assertThat(run("frobnicate").code()).isEqualTo(2);
        assertThat(run("run").errLines()).hasSize(1);
        assertThat(run("gen-model", "--shape", "nope", "-o", "/tmp/x.gguf").errLines()).singleElement()
                .asString().contains("unknown shape");
    }

    @Test
    void helpTeaches() {
        Result r = run("run", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Examples:").contains("--temp").contains("--seed").contains("--json");
        assertThat(run("--help").out()).contains("run").contains("chat").contains("inspect").contains("tokenize");
    }

    @Test
    void listShowsTheModelsFolderByName() {
        Result r = run("list", "--models-dir", shared().resolve("fixtures/models").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("NAME").contains("tiny-qwen3-f16").doesNotContain(".gguf");
        Result json = run("list", "--models-dir", shared().resolve("fixtures/models").toString(), "--json");
        assertThat(json.out()).contains("\"name\":\"tiny-llama-f32\"");
    }

    @Test
    void serveRejectsAnUnknownModelWithOneLine() {
        Result r = run("serve", "--model", "no-such-model", "--models-dir", shared().resolve("fixtures/models").toString(), "--port", "0");
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("no-such-model").contains("tiny-qwen3-f16");
    }
}
