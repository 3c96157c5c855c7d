package dev.loupe.core.tokenizer;

import dev.loupe.core.gguf.Metadata;
import dev.loupe.core.gguf.MetadataValue;
import dev.loupe.core.gguf.ValueType;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A vocabulary kept as bytes behaves as the decoded one did: empty tokens, duplicates, merges by rank. */
class LazyVocabTest {
    private static Tokenizer bpe(String[] tokens, String[] merges) {
        Map<String, MetadataValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", MetadataValue.of(ValueType.STRING, "gpt2"));
        m.put("tokenizer.ggml.tokens", MetadataValue.array(ValueType.STRING, tokens));
        m.put("tokenizer.ggml.merges", MetadataValue.array(ValueType.STRING, merges));
        m.put("tokenizer.ggml.add_bos_token", MetadataValue.of(ValueType.BOOL, false));
        return Tokenizer.fromMetadata(new Metadata(m));
    }

    @Test
    void emptyTokensAreNamedAsLlamaCppNamesThem() {
        Tokenizer t = bpe(new String[]{"a", "", "b", "ab"}, new String[]{"a b"});
        assertThat(t.piece(1)).isEqualTo("[EMPTY_1]");
        assertThat(t.piece(3)).isEqualTo("ab");
        assertThat(t.encode("ab", false, false)).containsExactly(3);
        assertThat(t.encode("ba", false, false)).containsExactly(2, 0);
    }

    @Test
    void aDuplicateTokenResolvesToItsLastIdAndAMergeToItsFirstRank() {
        // "ab" twice: the text maps to id 4 (llama.cpp's map keeps the last insert). Merges: "b c" ranks before
        // "a b" only through its first occurrence (rank 0); its duplicate at rank 2 must not demote it.
        Tokenizer t = bpe(new String[]{"a", "b", "c", "bc", "ab", "ab"}, new String[]{"b c", "a b", "b c"});
        assertThat(t.encode("abc", false, false)).containsExactly(0, 3);
        assertThat(t.encode("ab", false, false)).containsExactly(5);
    }
}
