package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static dev.loupe.cli.CliTest.run;
import static dev.loupe.cli.CliTest.shared;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench -d}: rows per depth, the depth in the JSON, and every timed run starting at the depth. */
class BenchDepthTest {
    private static Path model(String name) {
        return shared().resolve("fixtures/models").resolve(name);
    }

    @Test
    void everyRunStartsAtTheDepth() {
        try (Model m = Model.load(model("tiny-llama-q8_0.gguf")); ThreadPool pool = new ThreadPool(1);
             Session s = new Session(m, 200, pool)) {
            BenchRunner runner = new BenchRunner(s, m.config().vocabSize());
            for (BenchRunner.DepthFill fill : BenchRunner.DepthFill.values()) {
                int[] reported = new int[1];
                runner.fill(150, fill, done -> reported[0] = done);
                assertThat(s.position()).isEqualTo(150);
                assertThat(reported[0]).isEqualTo(fill == BenchRunner.DepthFill.REAL ? 150 : 0);
                runner.generateOnce(5);
                assertThat(s.position()).isEqualTo(155);
                runner.promptOnce(9);
                assertThat(s.position()).isEqualTo(159);
                runner.generateOnce(3);
                assertThat(s.position()).isEqualTo(153);
            }
        }
    }

    @Test
    void depthsGiveRowsAndAJsonField() throws Exception {
        CliTest.Result r = run("bench", "-m", model("tiny-llama-q8_0.gguf").toString(), "-t", "1", "-p", "8", "-n", "4", "-r", "1",
                "-d", "0,100", "--depth-fill", "random", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode a = new ObjectMapper().readTree(r.out());
        assertThat(a).hasSize(4);
        String[][] expected = {{"pp8", "0"}, {"tg4", "0"}, {"pp8", "100"}, {"tg4", "100"}};
        for (int i = 0; i < 4; i++) {
            assertThat(a.get(i).get("test").asText()).isEqualTo(expected[i][0]);
            assertThat(a.get(i).get("depth").asInt()).isEqualTo(Integer.parseInt(expected[i][1]));
            assertThat(a.get(i).get("tokens_per_s").asDouble()).isPositive();
        }
        CliTest.Result t = run("bench", "-m", model("tiny-llama-q8_0.gguf").toString(), "-t", "1", "-p", "0", "-n", "2", "-r", "1", "-d", "20");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("| tg2 @ d20 |");
        for (String[] bad : new String[][]{{"-d", "-5"}, {"--depth-fill", "zeros"}}) {
            CliTest.Result e = run("bench", "-m", model("tiny-llama-q8_0.gguf").toString(), "-n", "2", "-p", "0", bad[0], bad[1]);
            assertThat(e.code()).isEqualTo(Main.EXIT_BAD_INPUT);
            assertThat(e.errLines()).hasSize(1);
        }
    }
}
