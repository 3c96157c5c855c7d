package dev.loupe.core.sample.constrain;

import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.sample.constrain.JsonSchema.*;
import dev.loupe.core.tokenizer.Tokenizer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Per-token cost of the JSON constraint (and of a tool-call reply grammar) on a vocabulary file (default: Llama 3's 128k), not a test: run with
 * {@code java -cp ... dev.loupe.core.sample.constrain.ConstraintBench [vocab.gguf]}. It replays a fixed JSON text
 * one single-byte token at a time and times (thread CPU), per step, the mask (cold: a trie walk; warm: the cached state) and its
 * application to a logits row.
 */
public final class ConstraintBench {
    public static void main(String[] args) throws Exception {
        Path vocab = Path.of(args.length > 0 ? args[0] : "../shared/fixtures/vocab/ggml-vocab-llama-bpe.gguf");
        Tokenizer tok;
        try (GgufFile g = GgufFile.open(vocab)) {
            tok = Tokenizer.fromMetadata(g.metadata());
        }
        long t0 = System.nanoTime();
        ConstraintVocab cv = new ConstraintVocab(tok);
        long build = System.nanoTime() - t0;
        Map<String, JsonSchema> p = new LinkedHashMap<>();
        p.put("name", new StringSchema());
        p.put("age", new IntegerSchema());
        p.put("tags", new ArraySchema(new StringSchema()));
        JsonSchema schema = new ObjectSchema(p, Set.of("name", "age"));
        byte[] text = "{\"name\": \"Ada Lovelace, the first programmer\", \"age\": 36, \"tags\": [\"math\", \"poetry\"]}"
                .getBytes(StandardCharsets.UTF_8);
        replay("json", tok, JsonState.start(schema), text);
        // A tool-call reply in Hermes/Qwen's format: free text, the <tool_call> marker, a call whose arguments have
        // the same schema.
        ReplyGrammar reply = ReplyGrammar.compile(ReplyGrammar.Pattern.seq(new ReplyGrammar.Pattern.Text("<tool_call>", null),
                new ReplyGrammar.Pattern.Ws(), new ReplyGrammar.Pattern.Lit("{\"name\": ", ReplyGrammar.Role.SYNTAX),
                new ReplyGrammar.Pattern.Lit("\"person\"", ReplyGrammar.Role.NAME),
                new ReplyGrammar.Pattern.Lit(", \"arguments\": ", ReplyGrammar.Role.SYNTAX),
                new ReplyGrammar.Pattern.Json(schema, ReplyGrammar.Role.ARGUMENTS),
                new ReplyGrammar.Pattern.Lit("}", ReplyGrammar.Role.SYNTAX), new ReplyGrammar.Pattern.Ws(),
                new ReplyGrammar.Pattern.Lit("</tool_call>", ReplyGrammar.Role.SYNTAX)));
        replay("tool-call reply", tok, reply.start(), ("Let me look that up for you.\n<tool_call>\n{\"name\": \"person\", \"arguments\": "
                + new String(text, StandardCharsets.UTF_8) + "}\n</tool_call>").getBytes(StandardCharsets.UTF_8));
        System.out.printf("vocab %d tokens, trie %d nodes, built in %.0f ms%n", tok.vocabSize(), cv.trieNodes(), build / 1e6);
    }

    /** Thread CPU time: the machine is shared, wall time would count other processes' turns. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** Three cold and three warm rounds of {@code text} under the grammar from {@code start}, mask time per token. */
    private static void replay(String name, Tokenizer tok, GrammarState start, byte[] text) {
        float[] logits = new float[tok.vocabSize()];
        ConstraintVocab cv = null;
        for (int round = 0; round < 6; round++) {
            boolean cold = round % 2 == 0;
            if (cold) cv = new ConstraintVocab(tok); // empty cache
            TokenConstraint c = new TokenConstraint(cv, start);
            long mask = 0;
            for (byte b : text) {
                Arrays.fill(logits, 0f);
                long a = CPU.getCurrentThreadCpuTime();
                c.apply(logits, logits.length);
                mask += CPU.getCurrentThreadCpuTime() - a;
                if (!c.accept(tok.encode(String.valueOf((char) b), false, false)[0])) throw new IllegalStateException("refused"); // ASCII: one token per byte
            }
            System.out.printf("%s, %s cache: %.3f ms per token (%d steps)%n", name, cold ? "cold" : "warm", mask / 1e6 / text.length, text.length);
        }
    }
}
