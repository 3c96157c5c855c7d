package dev.loupe.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * decode(encode(s)) over all test vectors. What holds, per llama.cpp's detokenizer:
 * <ul>
 * <li>byte-level BPE: the token bytes concatenate to exactly the UTF-8 of s, always;</li>
 * <li>decode equals s where no clean-up applies: always for Qwen 2 (clean_spaces off), and for GPT-2 and
 *     Llama 3 whenever s has no space before ? ! . , or ' (those cases are pinned in TokenizerSpecialTest);</li>
 * <li>SPM: decode equals s exactly: encoding adds the ▁ prefix and decoding drops one leading space of the first token.</li>
 * </ul>
 */
class TokenizerRoundTripTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-bpe", "qwen2", "gpt-2"})
    void byteLevelTokensAreLossless(String name) {
        Tokenizer t = Vocabs.tokenizer(name);
        for (Vocabs.Vector v : Vocabs.vectors(name)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int id : t.encode(v.text(), false, false)) out.writeBytes(t.tokenBytes(id));
            assertThat(out.toByteArray()).as("#%d", v.index()).isEqualTo(v.text().getBytes(StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-bpe", "qwen2", "gpt-2", "llama-spm", "phi-3"})
    void decodeInvertsEncode(String name) {
        Tokenizer t = Vocabs.tokenizer(name);
        boolean cleans = !name.equals("qwen2") && t.kind() == Tokenizer.Kind.BPE;
        int checked = 0;
        for (Vocabs.Vector v : Vocabs.vectors(name)) {
            if (cleans && List.of(" ?", " !", " .", " ,", " '").stream().anyMatch(v.text()::contains)) continue;
            assertThat(t.decode(t.encode(v.text(), false, false))).as("#%d", v.index()).isEqualTo(v.text());
            checked++;
        }
        System.out.printf("[round-trip] %s: decode(encode(s)) == s for %d vectors%n", name, checked);
        assertThat(checked).isGreaterThan(35);
    }
}
