package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code loupe lens steer} and {@code --steer} end to end on the tiny fixture: files, no-op at 0, user errors. */
class LensSteerCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void makeThenRunSteeredAndSweep(@TempDir Path dir) throws Exception {
        Path pos = dir.resolve("pos.txt"), neg = dir.resolve("neg.jsonl"), vec = dir.resolve("v.safetensors");
        Files.writeString(pos, "The capital of France is\n\nI love you\n");
        Files.writeString(neg, "{\"text\": \"The war began\"}\n{\"prompt\": \"Blood and iron\"}\n");
        CliTest.Result made = CliTest.run("lens", "steer", "make", "-m", LensCliTest.model(), "-t", "2", "--pos", pos.toString(),
                "--neg", neg.toString(), "--layer", "1", "-o", vec.toString(), "--json");
        assertThat(made.code()).as(made.err()).isZero();
        JsonNode m = JSON.readTree(made.out());
        assertThat(m.get("hook").asText()).isEqualTo("blocks.1.hook_resid_pre");
        assertThat(m.get("d_model").asInt()).isEqualTo(64);
        assertThat(m.get("norm").asDouble()).isPositive();

        String[] run = {"run", "-m", LensCliTest.model(), "-t", "2", "--temp", "0", "-n", "6", "--json", "Hello world"};
        JsonNode plain = JSON.readTree(CliTest.run(run).out());
        JsonNode zero = JSON.readTree(CliTest.run(concat(run, "--steer", vec + ":0")).out());
        JsonNode strong = JSON.readTree(CliTest.run(concat(run, "--steer", vec + ":40")).out());
        assertThat(zero.get("ids")).isEqualTo(plain.get("ids"));
        assertThat(strong.get("ids")).isNotEqualTo(plain.get("ids"));

        CliTest.Result sweep = CliTest.run("lens", "steer", "sweep", "-m", LensCliTest.model(), "-t", "2", "--vector", vec.toString(),
                "--coefs", "-2,0,2", "--prompt", "Hello world", "-n", "3", "--json", "--html", dir.resolve("s.html").toString());
        assertThat(sweep.code()).as(sweep.err()).isZero();
        assertThat(JSON.readTree(sweep.out())).hasSize(3);
        assertThat(Files.readString(dir.resolve("s.html"))).contains("id=\"panels\"");
    }

    @Test
    void userMistakesAreOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        Path pos = dir.resolve("pos.txt"), vec = dir.resolve("v.safetensors");
        Files.writeString(pos, "hello\n");
        assertThat(CliTest.run("lens", "steer", "make", "-m", LensCliTest.model(), "--pos", pos.toString(), "--neg", pos.toString(),
                "--layer", "0", "-o", vec.toString()).code()).isZero();
        for (String[] args : new String[][]{
                // made on the 64-wide fixture, applied to the shipped 192-wide model
                {"run", "--steer", vec + ":2", "hi"},
                {"run", "-m", LensCliTest.model(), "--steer", dir.resolve("missing.safetensors") + ":2", "hi"},
                {"run", "-m", LensCliTest.model(), "--steer", vec + "#x", "hi"},
                {"lens", "steer", "make", "-m", LensCliTest.model(), "--pos", pos.toString(), "--neg", dir.resolve("none.txt").toString(),
                        "--layer", "0", "-o", vec.toString()},
                {"lens", "steer", "make", "-m", LensCliTest.model(), "--pos", pos.toString(), "--neg", pos.toString(), "--layer", "5", "-o", vec.toString()},
                {"lens", "steer", "sweep", "-m", LensCliTest.model(), "--vector", vec + ":3", "--prompt", "hi"}}) {
            CliTest.Result r = CliTest.run(args);
            assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(2);
            assertThat(r.errLines()).as(String.join(" ", args)).hasSize(1);
        }
        assertThat(CliTest.run("run", "--steer", vec + ":2", "hi").err()).contains("d_model 64", "d_model 192");
        assertThatThrownBy(() -> ServeCommand.steeringVectors(dir.resolve("nothing"))).isInstanceOf(LoupeException.class);
        Path vectors = Files.createDirectories(dir.resolve("vectors"));
        Files.copy(vec, vectors.resolve("calm.safetensors"));
        assertThat(ServeCommand.steeringVectors(vectors)).containsOnlyKeys("calm");
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
