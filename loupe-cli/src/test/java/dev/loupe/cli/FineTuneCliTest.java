package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.loupe.cli.CliTest.run;
import static dev.loupe.cli.CliTest.shared;
import static org.assertj.core.api.Assertions.assertThat;

/** loupe train sft|lora|dpo end to end on the tiny fixture models, and --lora on run. */
class FineTuneCliTest {
    static final String CHAT = """
            {"messages":[{"role":"user","content":"Capital of France?"},{"role":"assistant","content":"Paris."}]}
            {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of Italy?"},{"role":"assistant","content":"Rome."}]}
            """;

    @Test
    void loraAdapterTrainsResumesAndRuns(@TempDir Path dir) throws Exception {
        Path base = shared().resolve("fixtures/models/tiny-llama-q8_0.gguf");
        Path data = Files.writeString(dir.resolve("chat.jsonl"), CHAT), adapter = dir.resolve("adapter.gguf");
        CliTest.Result r = run("train", "lora", "-m", base.toString(), "--data", data.toString(), "--lora-rank", "4", "--steps", "2",
                "--save-every", "1", "--threads", "1", "-o", adapter.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("LoRA rank 4 on a frozen base").contains("step 2/2");
        r = run("train", "lora", "-m", base.toString(), "--data", data.toString(), "--lora-rank", "4", "--steps", "3",
                "--threads", "1", "--resume", "-o", adapter.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("resumed from").contains("at step 2").contains("step 3/3");
        assertThat(Files.readAllLines(Path.of(adapter + ".loss.csv"))).hasSize(4); // header + steps 1, 2, 3
        assertThat(Path.of(adapter + ".loss.svg")).exists();

        r = run("run", "-m", base.toString(), "--lora", adapter + ":0.5", "-p", "Capital", "-n", "3", "--temp", "0", "--json", "-t", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("ids")).hasSize(3);
        // A different run kind cannot resume from this checkpoint.
        r = run("train", "sft", "-m", base.toString(), "--data", data.toString(), "--steps", "3", "--threads", "1", "--resume", "-o", adapter.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).anyMatch(l -> l.contains("is of a 'sft lora r=4"));
    }

    @Test
    void dpoWritesAMergedModelThatRuns(@TempDir Path dir) throws Exception {
        Path base = shared().resolve("fixtures/models/tiny-llama-f32.gguf");
        Path data = Files.writeString(dir.resolve("prefs.jsonl"), """
                {"prompt":"Capital of France?","chosen":"Paris.","rejected":"Berlin."}
                {"prompt":[{"role":"system","content":"Be brief."},{"role":"user","content":"2+2?"}],"chosen":"4","rejected":"5"}
                """);
        Path out = dir.resolve("dpo.gguf");
        CliTest.Result r = run("train", "dpo", "-m", base.toString(), "--data", data.toString(), "--lora-rank", "2", "--merge",
                "--steps", "2", "--threads", "1", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        r = run("run", "-m", out.toString(), "-p", "Capital", "-n", "2", "--temp", "0", "--json", "-t", "1");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws Exception {
        Path base = shared().resolve("fixtures/models/tiny-llama-q8_0.gguf");
        Path data = Files.writeString(dir.resolve("chat.jsonl"), CHAT + "{\"messages\": [}\n");
        CliTest.Result r = run("train", "sft", "-m", base.toString(), "--data", data.toString(), "--steps", "1", "-o", dir.resolve("o.gguf").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().getFirst()).startsWith("loupe: " + data + ":3: not valid JSON");
        r = run("train", "sft", "-m", shared().resolve("fixtures/models/tiny-qwen2-f16.gguf").toString(), "--data", data.toString(), "-o", dir.resolve("o.gguf").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines().getFirst()).contains("cannot fine-tune a 'qwen2' model");
        Path good = Files.writeString(dir.resolve("good.jsonl"), CHAT);
        r = run("train", "sft", "-m", base.toString(), "--data", good.toString(), "--seq", "4", "-o", dir.resolve("o.gguf").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines().getFirst()).contains("no example keeps any assistant token");
        r = run("run", "-m", base.toString(), "--lora", dir.resolve("missing.gguf").toString(), "-p", "Hi", "-n", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("loupe: no such LoRA adapter file: " + dir.resolve("missing.gguf"));
        r = run("run", "-m", base.toString(), "--lora", base.toString(), "-p", "Hi", "-n", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines().getFirst()).contains("is not a LoRA adapter");
    }
}
