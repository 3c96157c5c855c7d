package dev.loupe.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamingDecoderTest {

    /** Emoji become several byte tokens (SPM byte fallback, or byte-level BPE pieces that split a character). */
    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "gpt-2", "llama-bpe", "qwen2"})
    void holdsBackSplitCharacters(String name) {
        Tokenizer t = Vocabs.tokenizer(name);
        String text = "a🦙b 😶‍🌫️ ✅ нещо";
        int[] ids = t.encode(text, false, false);
        List<String> chunks = new ArrayList<>();
        StreamingDecoder d = new StreamingDecoder(t);
        for (int id : ids) chunks.add(d.accept(id));
        chunks.add(d.flush());
        String joined = String.join("", chunks);
        String expected = t.kind() == Tokenizer.Kind.SPM ? " " + text : text; // the raw pieces keep SPM's space prefix
        assertThat(joined).isEqualTo(expected);
        assertThat(chunks).noneMatch(c -> c.contains("\uFFFD"));
        assertThat(chunks).as("some token ended inside a character").contains("");
    }

    @Test
    void flushReleasesAnIncompleteCharacter() {
        Tokenizer t = Vocabs.tokenizer("llama-spm");
        int[] ids = t.encode("🦙", false, false); // ▁ then <0xF0> <0x9F> <0xA6> <0x99>
        assertThat(ids).hasSize(5);
        StreamingDecoder d = new StreamingDecoder(t);
        assertThat(d.accept(ids[0])).isEqualTo(" ");
        assertThat(d.accept(ids[1])).isEmpty();
        assertThat(d.accept(ids[2])).isEmpty();
        assertThat(d.flush()).isEqualTo("\uFFFD");
        assertThat(d.flush()).isEmpty();
    }

    @Test
    void specialTokensRenderOnlyWhenAsked() {
        Tokenizer t = Vocabs.tokenizer("llama-bpe");
        assertThat(new StreamingDecoder(t).accept(128009)).isEmpty();
        assertThat(new StreamingDecoder(t, true).accept(128009)).isEqualTo("<|eot_id|>");
    }

    @Test
    void completePrefixStopsOnlyInsideASequence() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC
        assertThat(StreamingDecoder.completePrefix(new byte[] {'a', euro[0]})).isEqualTo(1);
        assertThat(StreamingDecoder.completePrefix(new byte[] {'a', euro[0], euro[1]})).isEqualTo(1);
        assertThat(StreamingDecoder.completePrefix(new byte[] {'a', euro[0], euro[1], euro[2]})).isEqualTo(4);
        assertThat(StreamingDecoder.completePrefix(new byte[] {'a', (byte) 0x80})).isEqualTo(2); // stray continuation: release
        assertThat(StreamingDecoder.completePrefix(new byte[] {(byte) 0xFF})).isEqualTo(1);
        assertThat(StreamingDecoder.completePrefix(new byte[0])).isZero();
    }
}
