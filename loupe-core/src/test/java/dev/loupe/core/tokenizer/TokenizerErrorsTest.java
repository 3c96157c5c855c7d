package dev.loupe.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.Metadata;
import dev.loupe.core.gguf.MetadataValue;
import dev.loupe.core.gguf.ValueType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenizerErrorsTest {

    private static Metadata md(Object... kv) {
        Map<String, MetadataValue> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            m.put((String) kv[i], v instanceof String[] a ? MetadataValue.array(ValueType.STRING, a) : MetadataValue.of(ValueType.STRING, v));
        }
        return new Metadata(m);
    }

    @Test
    void unknownModel() {
        assertThatThrownBy(() -> Tokenizer.fromMetadata(md("tokenizer.ggml.model", "bert")))
                .isInstanceOf(LoupeException.class)
                .hasMessage("unsupported tokenizer model 'bert' (supported: llama, gpt2)");
    }

    @Test
    void missingModel() {
        assertThatThrownBy(() -> Tokenizer.fromMetadata(md()))
                .isInstanceOf(LoupeException.class)
                .hasMessage("the model has no tokenizer (metadata 'tokenizer.ggml.model' is missing)");
    }

    @Test
    void missingVocab() {
        assertThatThrownBy(() -> Tokenizer.fromMetadata(md("tokenizer.ggml.model", "llama")))
                .isInstanceOf(LoupeException.class)
                .hasMessage("the model has no tokenizer vocabulary (metadata 'tokenizer.ggml.tokens' is missing)");
    }

    @Test
    void missingMerges() {
        assertThatThrownBy(() -> Tokenizer.fromMetadata(md("tokenizer.ggml.model", "gpt2", "tokenizer.ggml.pre", "gpt-2",
                "tokenizer.ggml.tokens", new String[] {"a", "b"})))
                .isInstanceOf(LoupeException.class)
                .hasMessage("the BPE tokenizer has no merges (metadata 'tokenizer.ggml.merges' is missing)");
    }

    @Test
    void unknownPreTokenizer() {
        assertThatThrownBy(() -> Tokenizer.fromMetadata(md("tokenizer.ggml.model", "gpt2", "tokenizer.ggml.pre", "martian",
                "tokenizer.ggml.tokens", new String[] {"a"}, "tokenizer.ggml.merges", new String[0])))
                .isInstanceOf(LoupeException.class)
                .hasMessage("unsupported pre-tokenizer 'martian' (tokenizer.ggml.pre)");
    }
}
