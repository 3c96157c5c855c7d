package dev.loupe.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Pre-tokenizer chains that no fixture vocabulary exercises, which run through {@link RegexSplitter}.
 * Expected words come from llama.cpp's unicode_regex_split (libllama from /tmp/llref) on the same text.
 */
class PreTokenizerTest {
    private static final String A = "Hello, world! 1234 abc";
    private static final String B = "It's 12345678 $5+3=8 <a|b> ~x^y `q` Ünï ²³ 你好 é  \n\n  end   ";

    @Test
    void defaultChain() {
        PreTokenizer p = BpeFlavor.forName("default").preTokenizer();
        assertThat(p.split(A)).containsExactly("Hello", ",", " world", "!", " ", "123", "4", " abc");
        assertThat(p.split(B)).containsExactly("It", "'", "s", " ", "123", "456", "78", " ", "$", "5", "+", "3", "=", "8", " ",
                "<", "a", "|", "b", ">", " ", "~", "x", "^", "y", " `", "q", "`", " Ünï", " ", "²³", " 你好", " é", "  \n\n ",
                " end", "   ");
        assertThat(BpeFlavor.forName(null).preTokenizer().split(A)).isEqualTo(p.split(A));
    }

    @Test
    void starcoderChain() {
        PreTokenizer p = BpeFlavor.forName("starcoder").preTokenizer();
        assertThat(p.split(A)).containsExactly("Hello", ",", " world", "!", " ", "1", "2", "3", "4", " abc");
        assertThat(p.split(B)).containsExactly("It", "'s", " ", "1", "2", "3", "4", "5", "6", "7", "8", " $", "5", "+", "3", "=",
                "8", " <", "a", "|", "b", ">", " ~", "x", "^", "y", " `", "q", "`", " Ünï", " ", "²", "³", " 你好", " é",
                "  \n\n ", " end", "   ");
    }

    @Test
    void falconChain() {
        PreTokenizer p = BpeFlavor.forName("falcon").preTokenizer();
        assertThat(p.split(A)).containsExactly("Hello", ",", " world", "!", " ", "123", "4", " abc");
        assertThat(p.split(B)).containsExactly("It", "'", "s", " ", "123", "456", "78", " ", "$", "5", "+", "3", "=", "8", " ",
                "<", "a", "|", "b", ">", " ", "~", "x", "^", "y", " ", "`", "q", "`", " Ünï", " ²³", " 你好", " é", "  \n\n ",
                " end", "   ");
    }

    @Test
    void collapsedRegexMatchesLlamaCppRewrite() {
        assertThat(RegexSplitter.collapseRegex("\\p{N}+")).isEqualTo("[\\x{D1}0-9]+");
        assertThat(RegexSplitter.collapseRegex("[\\p{P}\\$]+")).isEqualTo("[\\x{D3}!-#%-*,-/:-;?-@\\[-\\]_\\{\\}\\$]+");
    }
}
