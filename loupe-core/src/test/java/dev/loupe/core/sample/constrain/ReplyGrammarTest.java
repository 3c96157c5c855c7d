package dev.loupe.core.sample.constrain;

import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.sample.constrain.JsonSchema.*;
import dev.loupe.core.sample.constrain.ReplyGrammar.Pattern;
import dev.loupe.core.sample.constrain.ReplyGrammar.Role;
import dev.loupe.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The reply automaton on hand-written replies: what it accepts, refuses, and which role each byte gets. */
class ReplyGrammarTest {
    static final JsonSchema ARGS = new ObjectSchema(Map.of("a", new IntegerSchema()), Set.of("a"));

    /** Hermes-style: text until {@code <tool_call>}, then one or more calls, each closed by {@code </tool_call>}. */
    static ReplyGrammar hermes() {
        Pattern call = Pattern.seq(new Pattern.Lit("{\"name\": ", Role.SYNTAX),
                new Pattern.Alt(List.of(
                        Pattern.seq(new Pattern.Lit("\"f\"", Role.NAME), new Pattern.Lit(", \"arguments\": ", Role.SYNTAX),
                                new Pattern.Json(ARGS, Role.ARGUMENTS)),
                        Pattern.seq(new Pattern.Lit("\"g\"", Role.NAME), new Pattern.Lit(", \"arguments\": ", Role.SYNTAX),
                                new Pattern.Json(new StringSchema(), Role.ARGUMENTS)))),
                new Pattern.Lit("}", Role.SYNTAX), new Pattern.Ws(), new Pattern.Lit("</tool_call>", Role.SYNTAX));
        return ReplyGrammar.compile(Pattern.seq(new Pattern.Text("<tool_call>", null), new Pattern.Ws(),
                new Pattern.Repeat(call, Pattern.seq(new Pattern.Ws(), new Pattern.Lit("<tool_call>", Role.SYNTAX), new Pattern.Ws()))));
    }

    static GrammarState feed(GrammarState s, String text) {
        return s.feed(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The role of every byte, as a string of initials (C content, S syntax, N name, A arguments). */
    static String roles(String text) {
        StringBuilder out = new StringBuilder();
        ReplyGrammar.State s = hermes().start();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            s = s.feed(b & 0xFF);
            assertThat(s).as("refused at %d of %s", out.length(), text).isNotNull();
            out.append(s.role().name().charAt(0));
        }
        return out.toString();
    }

    @Test
    void textAloneMayEndAnywhere() {
        GrammarState s = feed(hermes().start(), "Hello <tool world");
        assertThat(s).isNotNull();
        assertThat(s.complete()).isTrue();
        assertThat(s.closed()).isFalse();
    }

    @Test
    void callsAfterTheMarkerAreConstrained() {
        GrammarState s = feed(hermes().start(), "Sure.<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 12}}\n</tool_call>");
        assertThat(s).isNotNull();
        assertThat(s.complete()).isTrue();
        // A second call may follow; a wrong name, a string for "a", or text after the marker may not.
        assertThat(feed(s, "\n<tool_call>{\"name\": \"g\", \"arguments\": \"x\"}</tool_call>")).isNotNull();
        assertThat(feed(hermes().start(), "<tool_call>{\"name\": \"h\"")).isNull();
        assertThat(feed(hermes().start(), "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": \"1\"")).isNull();
        assertThat(feed(hermes().start(), "<tool_call>hello")).isNull();
        assertThat(feed(s, " more text")).isNull();
        // Inside a call the reply cannot end: the cost counts what is missing (the closing brace and the tag).
        GrammarState open = feed(hermes().start(), "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1}");
        assertThat(open.complete()).isFalse();
        assertThat(open.cost()).isEqualTo("}".length() + "</tool_call>".length());
    }

    @Test
    void everyByteHasTheRoleAReaderNeeds() {
        String reply = "Hi<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1}}</tool_call>";
        String expected = "CC" + "C".repeat("<tool_call".length()) + "S" + "S".repeat("{\"name\": ".length())
                + "NNN" + "S".repeat(", \"arguments\": ".length()) + "A".repeat("{\"a\": 1}".length())
                + "S".repeat("}</tool_call>".length());
        assertThat(roles(reply)).isEqualTo(expected);
    }

    @Test
    void aPartialMarkerIsHeldBackUntilTheBytesDecide() {
        ReplyGrammar.State s = (ReplyGrammar.State) feed(hermes().start(), "a <tool");
        assertThat(s.heldBack()).isEqualTo("<tool".length());
        s = s.feed('s');
        assertThat(s.heldBack()).isZero(); // "<tools" is text after all
        s = (ReplyGrammar.State) feed(s, "<<tool_c");
        assertThat(s.heldBack()).isEqualTo("<tool_c".length()); // the failure function keeps the second '<'
    }

    @Test
    void aNumberArgumentEndsWhereTheSyntaxGoesOn() {
        JsonSchema number = new NumberSchema();
        ReplyGrammar g = ReplyGrammar.compile(Pattern.seq(new Pattern.Lit("[", Role.SYNTAX),
                new Pattern.Json(number, Role.ARGUMENTS), new Pattern.Lit("]", Role.SYNTAX)));
        GrammarState s = feed(g.start(), "[12.5]");
        assertThat(s).isNotNull();
        assertThat(s.closed()).isTrue();
        assertThat(feed(g.start(), "[12.5.]")).isNull();
    }

    /**
     * Llama 3.1's {@code <|python_tag|>} is a control token: the detokenizer prints nothing for it. It is offered where
     * the grammar expects that marker and nowhere else (not inside a JSON string, where its text would be valid). The
     * fixture is Llama 3.0's vocabulary, where the same id 128010 is still called {@code <|reserved_special_token_5|>}.
     */
    @Test
    void controlTokenMarkersAreOfferedOnlyWhereTheGrammarExpectsThem() throws Exception {
        Tokenizer tok;
        try (GgufFile g = GgufFile.open(Path.of(System.getProperty("loupe.shared"), "fixtures/vocab/ggml-vocab-llama-bpe.gguf"))) {
            tok = Tokenizer.fromMetadata(g.metadata());
        }
        String marker = "<|reserved_special_token_5|>";
        int tag = tok.encode(marker, false, true)[0];
        assertThat(tag).isEqualTo(128010);
        assertThat(tok.isControl(tag)).isTrue();
        ConstraintVocab vocab = new ConstraintVocab(tok);
        ReplyGrammar g = ReplyGrammar.compile(Pattern.seq(new Pattern.Text(marker, "{"),
                new Pattern.Json(new ObjectSchema(Map.of("s", new StringSchema()), Set.of("s")), Role.ARGUMENTS)));
        TokenConstraint c = new TokenConstraint(vocab, g.start());
        assertThat(allowed(c, tok.vocabSize(), tag)).isTrue();
        assertThat(c.accept(tag)).isTrue();
        for (int id : tok.encode("{\"s\": \"", false, false)) assertThat(c.accept(id)).isTrue();
        assertThat(allowed(c, tok.vocabSize(), tag)).isFalse();
        // Another control token is never allowed, even in free text.
        TokenConstraint text = new TokenConstraint(vocab, g.start());
        assertThat(allowed(text, tok.vocabSize(), tok.encode("<|start_header_id|>", false, true)[0])).isFalse();
    }

    private static boolean allowed(TokenConstraint c, int n, int token) {
        float[] logits = new float[n];
        c.apply(logits, n);
        return logits[token] != Float.NEGATIVE_INFINITY;
    }

    @Test
    void equalPatternsShareOneProgramSoMasksAreShared() {
        assertThat(hermes()).isSameAs(hermes());
        assertThat(feed(hermes().start(), "abc")).isEqualTo(feed(hermes().start(), "xyz"));
    }
}
