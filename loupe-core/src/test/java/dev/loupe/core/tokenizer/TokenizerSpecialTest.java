package dev.loupe.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * BOS/EOS, special-token parsing, EOG and detokenization. Expected ids and texts were produced by
 * llama.cpp itself (libllama built from /tmp/llref: llama_tokenize and llama_detokenize with
 * remove_special=false) on the same vocab files.
 */
class TokenizerSpecialTest {

    @Test
    void llama3ParsesControlTokensOnlyWhenAsked() {
        Tokenizer t = Vocabs.tokenizer("llama-bpe");
        String text = "<|begin_of_text|>Hi<|eot_id|>";
        assertThat(t.encode(text, true, true)).containsExactly(128000, 128000, 13347, 128009);
        assertThat(t.encode(text, true, false))
                .containsExactly(128000, 27, 91, 7413, 3659, 4424, 91, 29, 13347, 27, 91, 68, 354, 851, 91, 29);
        assertThat(t.encode("<|begin_of_text|>", false, true)).containsExactly(128000);
        assertThat(t.encode("<|begin_of_text|>", false, false)).hasSizeGreaterThan(1).doesNotContain(128000);
        assertThat(t.decode(new int[] {128000, 128000, 13347, 128009})).isEqualTo("Hi");
        assertThat(t.decode(new int[] {128000, 13347, 128009}, true)).isEqualTo("<|begin_of_text|>Hi<|eot_id|>");
    }

    @Test
    void addSpecialFollowsTheModelsAddBos() {
        assertThat(Vocabs.tokenizer("llama-spm").encode("Hello", true, false)).containsExactly(1, 15043);
        assertThat(Vocabs.tokenizer("llama-spm").encode("Hello", false, false)).containsExactly(15043);
        assertThat(Vocabs.tokenizer("llama-bpe").encode("Hello", true, false)).containsExactly(128000, 9906);
        // Qwen 2 and GPT-2 do not ask for BOS, so add_special adds nothing.
        assertThat(Vocabs.tokenizer("qwen2").addBos()).isFalse();
        assertThat(Vocabs.tokenizer("qwen2").encode("Hello", true, false)).containsExactly(9707);
        assertThat(Vocabs.tokenizer("gpt-2").encode("Hello", true, false)).containsExactly(15496);
    }

    @Test
    void qwenChatMarkup() {
        Tokenizer t = Vocabs.tokenizer("qwen2");
        assertThat(t.encode("<|im_start|>user\nHi<|im_end|>\n", true, true)).containsExactly(151644, 872, 198, 13048, 151645, 198);
        assertThat(t.encode("<|im_start|>user\nHi<|im_end|>\n", false, false))
                .containsExactly(27, 91, 318, 4906, 91, 29, 872, 198, 13048, 27, 91, 318, 6213, 91, 397);
    }

    @Test
    void phi3SpecialTokensSwallowFollowingWhitespace() {
        Tokenizer t = Vocabs.tokenizer("phi-3");
        int[] ids = t.encode("<|user|>\n  Hi<|end|>\n<|assistant|>", true, true);
        assertThat(ids).containsExactly(1, 32010, 6324, 32007, 32001);
        assertThat(t.decode(ids)).isEqualTo(" Hi");
        assertThat(t.decode(ids, true)).isEqualTo("<s><|user|> Hi<|end|><|assistant|>");
    }

    @Test
    void spmSpacePrefixAfterSpecialTokens() {
        Tokenizer t = Vocabs.tokenizer("llama-spm");
        int[] ids = t.encode("<s>Hello</s> world", true, true);
        assertThat(ids).containsExactly(1, 1, 15043, 2, 29871, 3186);
        assertThat(t.decode(ids)).isEqualTo(" Hello  world");
        assertThat(t.encode("<s>Hello</s> world", false, false)).containsExactly(529, 29879, 29958, 10994, 829, 29879, 29958, 3186);
    }

    @Test
    void endOfGenerationSets() {
        Tokenizer llama3 = Vocabs.tokenizer("llama-bpe");
        assertThat(llama3.isEndOfGeneration(128001)).isTrue();
        assertThat(llama3.isEndOfGeneration(128009)).isTrue();
        assertThat(llama3.isEndOfGeneration(128000)).isFalse();
        assertThat(llama3.eot()).isEqualTo(128009);
        assertThat(eogIds(Vocabs.tokenizer("qwen2"))).containsExactly(128247, 151643, 151645); // 128247 is "</s>"
        assertThat(eogIds(Vocabs.tokenizer("phi-3"))).containsExactly(2, 32000, 32007);
        assertThat(eogIds(Vocabs.tokenizer("llama-spm"))).containsExactly(2);
        assertThat(Vocabs.tokenizer("llama-spm").eot()).isEqualTo(-1);
    }

    @Test
    void byteLevelDecodeCleansSpacesWhereLlamaCppDoes() {
        String s = " ' hi 'll you're ?!. ,";
        Tokenizer gpt2 = Vocabs.tokenizer("gpt-2");
        assertThat(gpt2.decode(gpt2.encode(s, false, false))).isEqualTo("'hi 'll you're?!.,");
        Tokenizer llama3 = Vocabs.tokenizer("llama-bpe");
        assertThat(llama3.decode(llama3.encode(s, false, false))).isEqualTo("'hi 'll you're?!.,");
        Tokenizer qwen = Vocabs.tokenizer("qwen2"); // clean_spaces is off for Qwen 2
        assertThat(qwen.decode(qwen.encode(s, false, false))).isEqualTo(s);
    }

    @Test
    void tokenAccessors() {
        Tokenizer t = Vocabs.tokenizer("llama-spm");
        assertThat(t.vocabSize()).isEqualTo(32000);
        assertThat(t.kind()).isEqualTo(Tokenizer.Kind.SPM);
        assertThat(t.piece(15043)).isEqualTo("▁Hello");
        assertThat(new String(t.tokenBytes(15043))).isEqualTo(" Hello");
        assertThat(t.isByte(13)).isTrue();
        assertThat(t.tokenBytes(13)).containsExactly('\n');
        assertThat(t.isControl(1)).isTrue();
        assertThat(t.tokenBytes(1)).isEmpty();
        assertThat(new String(t.tokenBytes(1, true))).isEqualTo("<s>");
        assertThat(t.isUnknown(0)).isTrue();
        Tokenizer b = Vocabs.tokenizer("gpt-2");
        assertThat(b.kind()).isEqualTo(Tokenizer.Kind.BPE);
        assertThat(b.piece(15496)).isEqualTo("Hello");
        assertThat(b.piece(220)).isEqualTo("Ġ");
        assertThat(b.tokenBytes(220)).containsExactly(' ');
    }

    private static java.util.List<Integer> eogIds(Tokenizer t) {
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        for (int i = 0; i < t.vocabSize(); i++) if (t.isEndOfGeneration(i)) ids.add(i);
        return ids;
    }
}
