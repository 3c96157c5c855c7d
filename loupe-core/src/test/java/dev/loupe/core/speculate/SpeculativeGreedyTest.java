package dev.loupe.core.speculate;

import dev.loupe.core.Fixtures;
import dev.loupe.core.LoupeException;
import dev.loupe.core.generate.FinishReason;
import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Under greedy decoding, speculative decoding and prompt lookup produce plain decoding's tokens exactly, whatever the
 * drafter guesses: a draft that always agrees (the target itself), one that mostly disagrees (the same weights quantized
 * to Q4_0: random weights have flat logits, so 4-bit noise flips most argmaxes) and n-gram lookup. The
 * reference is Loupe's own plain greedy decoding, which LlamaCppAgreementTest holds to llama.cpp's greedy tokens.
 */
class SpeculativeGreedyTest {
    private static final String[] PROMPTS = {"Once upon a time", "1, 2, 3,", "a b c a b c a b"};
    private static final int TOKENS = 20;
    private static ThreadPool pool;
    private static Model target;
    private static Tokenizer tok;
    private static final java.util.Map<String, Model> drafts = new java.util.HashMap<>();

    @BeforeAll
    static void open() {
        pool = new ThreadPool(2);
        target = Model.load(Fixtures.model("tiny-llama-f32.gguf"));
        tok = Tokenizer.fromMetadata(target.file().metadata());
    }

    @AfterAll
    static void close() {
        drafts.values().forEach(Model::close);
        target.close();
        pool.close();
    }

    private static GenerationResult plain(int[] prompt, SamplingParams params) {
        try (Session s = new Session(target, 256, pool)) {
            return new Generator(s, tok).generate(prompt, new int[0], params, null);
        }
    }

    /** Runs every prompt plainly and speculatively; asserts equal tokens and text; returns the summed stats. */
    private static SpeculativeStats compare(Function<Session, Drafter> drafterFor, int k, SamplingParams params) {
        int passes = 0, drafted = 0, accepted = 0;
        try (Session s = new Session(target, 256, pool)) {
            for (String text : PROMPTS) {
                int[] prompt = tok.encode(text, true, false);
                GenerationResult want = plain(prompt, params);
                s.rewind(0);
                try (Drafter d = drafterFor.apply(s)) {
                    SpeculativeResult got = new SpeculativeGenerator(s, tok, d, k).generate(prompt, params, null);
                    assertThat(got.generation().ids()).as("'%s' with %s", text, d.describe()).containsExactly(want.ids());
                    assertThat(got.generation().text()).isEqualTo(want.text());
                    assertThat(got.generation().finishReason()).isEqualTo(want.finishReason());
                    passes += got.stats().targetPasses();
                    drafted += got.stats().drafted();
                    accepted += got.stats().accepted();
                }
            }
        }
        return new SpeculativeStats(passes, drafted, accepted);
    }

    private static Function<Session, Drafter> modelDraft(String file) {
        Model m = drafts.computeIfAbsent(file, f -> Model.load(Fixtures.model(f)));
        Tokenizer dt = Tokenizer.fromMetadata(m.file().metadata());
        return s -> new ModelDrafter(new Session(m, s.contextLength(), pool), dt, tok, target.config().vocabSize(), file);
    }

    @ParameterizedTest(name = "{0} k={1}")
    @CsvSource({
            "tiny-llama-f32.gguf, 4",      // the target itself: always agrees
            "tiny-llama-q4_0.gguf, 3",     // the same weights in 4 bits: disagrees most of the time
    })
    void draftModelOutputEqualsPlainGreedy(String draft, int k) {
        SamplingParams params = SamplingParams.greedy().withMaxTokens(TOKENS);
        SpeculativeStats st = compare(modelDraft(draft), k, params);
        int generated = PROMPTS.length * TOKENS;
        assertThat(st.drafted()).isGreaterThan(0);
        // Tokens = accepted guesses + one per pass (a correction or the bonus): the bookkeeping adds up.
        assertThat(st.accepted() + st.targetPasses()).isEqualTo(generated);
        switch (draft) {
            case "tiny-llama-f32.gguf" -> assertThat(st.acceptanceRate()).isEqualTo(1.0);
            // Random weights have flat logits, so 4-bit noise flips most argmaxes (measured 0.08 over 4 x 40 tokens).
            default -> assertThat(st.acceptanceRate()).isBetween(0.01, 0.5);
        }
    }

    @Test
    void promptLookupOutputEqualsPlainGreedy() {
        SpeculativeStats st = compare(s -> new LookupDrafter(3, 1), 4, SamplingParams.greedy().withMaxTokens(TOKENS));
        assertThat(st.accepted() + st.targetPasses()).isEqualTo(PROMPTS.length * TOKENS);
        assertThat(st.drafted()).isGreaterThan(0);
    }

    @Test
    void penaltiesSeeTheAcceptedTokensAsPlainDecodingDoes() {
        // A repeat penalty makes every step depend on the tokens before it, accepted guesses included.
        // The target as its own draft has every guess accepted, so accepted tokens enter the history every round.
        SamplingParams params = SamplingParams.greedy().withMaxTokens(TOKENS).withPenalties(1.5f, 0.2f, 0.1f, 16);
        assertThat(compare(modelDraft("tiny-llama-f32.gguf"), 4, params).acceptanceRate()).isEqualTo(1.0);
        compare(s -> new LookupDrafter(2, 1), 5, params);
    }

    @Test
    void tokenLimitStopStringsAndContextEndAreRespected() {
        // 7 tokens with k = 4: the second round may guess only 2 (7 = 5 + 2), never overshoot.
        compare(modelDraft("tiny-llama-f32.gguf"), 4, SamplingParams.greedy().withMaxTokens(7));
        // A stop string cut mid-round, text and finish reason as plain decoding.
        int[] prompt = tok.encode(PROMPTS[0], true, false);
        GenerationResult free = plain(prompt, SamplingParams.greedy().withMaxTokens(20));
        String stop = free.text().substring(free.text().length() / 2, free.text().length() / 2 + 2);
        SamplingParams stopping = SamplingParams.greedy().withMaxTokens(20).withStop(List.of(stop));
        GenerationResult want = plain(prompt, stopping);
        assertThat(want.finishReason()).isEqualTo(FinishReason.STOP);
        try (Session s = new Session(target, 256, pool); Drafter d = modelDraft("tiny-llama-f32.gguf").apply(s)) {
            GenerationResult got = new SpeculativeGenerator(s, tok, d, 4).generate(prompt, stopping, null).generation();
            assertThat(got.text()).isEqualTo(want.text());
            assertThat(got.stopString()).isEqualTo(stop);
        }
        // A context of 16: generation runs to its end, as plain decoding does.
        SamplingParams unlimited = SamplingParams.greedy().withMaxTokens(-1);
        GenerationResult wantShort;
        try (Session s = new Session(target, 16, pool)) {
            wantShort = new Generator(s, tok).generate(prompt, new int[0], unlimited, null);
        }
        try (Session s = new Session(target, 16, pool)) {
            GenerationResult got = new SpeculativeGenerator(s, tok, new LookupDrafter(3, 1), 4).generate(prompt, unlimited, null).generation();
            assertThat(got.ids()).containsExactly(wantShort.ids());
        }
    }

    @Test
    void aDraftModelWithAnotherVocabularyIsRefused() {
        try (Model other = Model.load(Fixtures.model("tiny-qwen2-f16.gguf")); Session s = new Session(other, 64, pool)) {
            Tokenizer ot = Tokenizer.fromMetadata(other.file().metadata());
            assertThatThrownBy(() -> new ModelDrafter(s, ot, tok, target.config().vocabSize(), "qwen2"))
                    .isInstanceOf(LoupeException.class).hasMessageContaining("vocabulary has 50257 tokens, the target's 32000");
        }
        // Close but not equal: phi-3's SentencePiece vocabulary (tiny-qwen3) has 32064 tokens, Llama 2's 32000.
        try (Model q3 = Model.load(Fixtures.model("tiny-qwen3-f16.gguf")); Session s = new Session(q3, 64, pool)) {
            Tokenizer t3 = Tokenizer.fromMetadata(q3.file().metadata());
            assertThatThrownBy(() -> new ModelDrafter(s, t3, tok, target.config().vocabSize(), "qwen3"))
                    .isInstanceOf(LoupeException.class).hasMessageContaining("32064 tokens, the target's 32000");
            ModelDrafter.requireSameVocabulary(t3, 32064, t3, 32064); // against itself: accepted
        }
    }
}
