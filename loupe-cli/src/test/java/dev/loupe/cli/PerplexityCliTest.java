package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.loupe.cli.CliTest.run;
import static dev.loupe.cli.CliTest.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** loupe perplexity against llama-perplexity's recorded output, streaming under a policy, and its one-line errors. */
class PerplexityCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void chunkedMatchesLlamaPerplexityAndStreamingEvicts(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(shared().resolve("data/tinyshakespeare/input.txt"));
        Path val = dir.resolve("val.txt");
        Files.write(val, Arrays.copyOfRange(all, all.length - 111540, all.length));
        // llama-perplexity -c 128 -b 128 --chunks 8 printed [2]89.8484 after two chunks (loupe-core's reference file).
        CliTest.Result r = run("perplexity", "-f", val.toString(), "--chunks", "2", "--json", "-t", "2");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("ppl").asDouble()).isCloseTo(89.8484, within(0.002));
        assertThat(o.get("scored").asInt()).isEqualTo(2 * 63);

        CliTest.Result s = run("perplexity", "-f", val.toString(), "--stream", "--tokens", "300", "-c", "64",
                "--context-policy", "sinks", "--json", "-t", "2");
        assertThat(s.code()).as(s.err()).isZero();
        JsonNode so = JSON.readTree(s.out());
        assertThat(so.get("policy").asText()).isEqualTo("sinks(4)");
        assertThat(so.get("scored").asInt()).isEqualTo(299);
        assertThat(so.get("evicted").asInt()).isEqualTo(299 - 64); // 299 tokens are run (the last is only scored)
        assertThat(so.get("ppl").asDouble()).isBetween(20.0, 400.0);

        // User mistakes: one line, exit 2.
        for (String[] bad : new String[][]{
                {"perplexity", "-f", dir.resolve("missing.txt").toString()},
                {"perplexity", "-f", val.toString(), "--context-policy", "sinks"},
                {"perplexity", "-f", val.toString(), "--stream", "--tokens", "300", "-c", "64"},
                {"perplexity", "-f", val.toString(), "--stream", "--context-policy", "lru"},
                {"perplexity", "-f", val.toString(), "-ctk", "q5_1"}}) {
            CliTest.Result e = run(bad);
            assertThat(e.code()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(e.errLines()).as(e.err()).hasSize(1);
        }
    }
}
