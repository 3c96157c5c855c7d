package dev.loupe.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.Fixtures;
import dev.loupe.core.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tokenizers embedded in the model fixtures give llama.cpp's prompt_ids from the reference runs
 * (add_special=true, parse_special=false), and the greedy outputs decode without error.
 */
class TokenizerModelPromptsTest {
    private static final Pattern PROMPT = Pattern.compile("\"prompt\":\\s*\"([^\"]*)\",\\s*\"prompt_ids\":\\s*\\[([^\\]]*)]");
    private static final Pattern GREEDY = Pattern.compile("\"greedy_ids\":\\s*\\[([^\\]]*)]");

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama-f32", "tiny-llama-f16", "tiny-llama-q8_0", "tiny-llama-q4_0", "tiny-qwen2-f16",
            "tiny-qwen3-f16", "small-llama-q4_k_m", "small-llama-q5_k_m", "small-llama-q6_k"})
    void promptIdsMatchReference(String model) throws IOException {
        Tokenizer t;
        try (GgufFile f = GgufFile.open(Fixtures.model(model + ".gguf"))) {
            t = Tokenizer.fromMetadata(f.metadata());
        }
        String json = Files.readString(Fixtures.reference(model + ".json"));
        Matcher m = PROMPT.matcher(json);
        int prompts = 0;
        while (m.find()) {
            assertThat(t.encode(m.group(1), true, false)).as(m.group(1)).containsExactly(ids(m.group(2)));
            prompts++;
        }
        assertThat(prompts).isEqualTo(3);
        Matcher g = GREEDY.matcher(json);
        while (g.find()) assertThat(t.decode(ids(g.group(1)))).isNotNull();
    }

    private static int[] ids(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    }
}
