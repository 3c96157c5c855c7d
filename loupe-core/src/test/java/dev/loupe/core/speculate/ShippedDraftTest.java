package dev.loupe.core.speculate;

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

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped pair: models/loupe-shakespeare.gguf as the target, models/loupe-shakespeare-draft.gguf (a 2-layer,
 * dim-64 model trained on the same corpus with the same tokenizer, scripts/train-draft-model.sh) as the draft. Greedy
 * speculative decoding must give plain greedy decoding's tokens exactly, for every k and minimum confidence; and the
 * pair must be what it is shipped for: a draft small enough to be cheap that the target agrees with most of the time
 * (a draft whose guesses were mostly rejected would pass the equality checks and still be useless).
 */
class ShippedDraftTest {
    private static final Path MODELS = Path.of(System.getProperty("loupe.home", ".."), "models");
    private static final String[] PROMPTS = {"ROMEO:", "JULIET:\nO Romeo, Romeo!", "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\n"};
    private static final int TOKENS = 48;
    private static ThreadPool pool;
    private static Model target, draft;
    private static Tokenizer tok, draftTok;
    /** Plain greedy decoding of each prompt, the reference every k is held to (computed once). */
    private static final java.util.Map<String, GenerationResult> PLAIN = new java.util.HashMap<>();

    @BeforeAll
    static void open() {
        pool = new ThreadPool(1);
        target = Model.load(MODELS.resolve("loupe-shakespeare.gguf"));
        draft = Model.load(MODELS.resolve("loupe-shakespeare-draft.gguf"));
        tok = Tokenizer.fromMetadata(target.file().metadata());
        draftTok = Tokenizer.fromMetadata(draft.file().metadata());
    }

    @AfterAll
    static void close() {
        draft.close();
        target.close();
        pool.close();
    }

    @Test
    void theDraftIsSmall() throws Exception {
        long bytes = Files.size(MODELS.resolve("loupe-shakespeare-draft.gguf"));
        assertThat(bytes).isLessThanOrEqualTo(1_500_000);
        // At most a quarter of the target's weights, or drafting would cost as much as it saves.
        assertThat(bytes * 4).isLessThan(Files.size(MODELS.resolve("loupe-shakespeare.gguf")));
        assertThat(draft.config().vocabSize()).isEqualTo(target.config().vocabSize());
    }

    @ParameterizedTest(name = "k={0} p-min={1}")
    @CsvSource({"2, 0", "4, 0", "6, 0", "4, 0.1"})
    void greedyOutputEqualsPlainDecoding(int k, float minConfidence) {
        SamplingParams params = SamplingParams.greedy().withMaxTokens(TOKENS);
        int drafted = 0, accepted = 0;
        try (Session s = new Session(target, target.config().contextLength(), pool)) {
            for (String text : PROMPTS) {
                int[] prompt = tok.encode(text, true, false);
                GenerationResult want = PLAIN.computeIfAbsent(text, t -> {
                    s.rewind(0);
                    return new Generator(s, tok).generate(prompt, new int[0], params, null);
                });
                s.rewind(0);
                try (ModelDrafter d = new ModelDrafter(new Session(draft, s.contextLength(), pool), draftTok, tok,
                        target.config().vocabSize(), "draft", null, minConfidence)) {
                    SpeculativeResult got = new SpeculativeGenerator(s, tok, d, k).generate(prompt, params, null);
                    assertThat(got.generation().ids()).as("'%s' k=%d", text, k).containsExactly(want.ids());
                    assertThat(got.generation().text()).isEqualTo(want.text());
                    assertThat(got.stats().accepted() + got.stats().targetPasses()).isEqualTo(want.ids().length);
                    drafted += got.stats().drafted();
                    accepted += got.stats().accepted();
                }
            }
        }
        // Greedy from "ROMEO:" 61-88% of guesses are accepted (BENCHMARKS.md); a draft of random weights with this
        // vocabulary would agree with the target's argmax about 1 time in 2048.
        assertThat((double) accepted / drafted).as("acceptance").isGreaterThan(0.4);
    }

    @Test
    void aMinimumConfidenceGuessesLessAndWastesLess() {
        // Both models are rarely sure (top probability ~0.1 along a greedy run), so at 0.6 the draft guesses only
        // at the few positions where it is (e.g. the line break after "ROMEO:", 0.83).
        SamplingParams params = SamplingParams.greedy().withMaxTokens(TOKENS);
        int[] prompt = tok.encode(PROMPTS[2], true, false);
        SpeculativeStats always = run(prompt, params, 0), confident = run(prompt, params, 0.6f);
        assertThat(confident.drafted()).isLessThan(always.drafted());
        assertThat(confident.acceptanceRate()).isGreaterThan(always.acceptanceRate());
    }

    private static SpeculativeStats run(int[] prompt, SamplingParams params, float minConfidence) {
        try (Session s = new Session(target, target.config().contextLength(), pool);
             ModelDrafter d = new ModelDrafter(new Session(draft, s.contextLength(), pool), draftTok, tok,
                     target.config().vocabSize(), "draft", null, minConfidence)) {
            return new SpeculativeGenerator(s, tok, d, 6).generate(prompt, params, null).stats();
        }
    }

    @Test
    void topProbabilityIsTheSoftmaxOfTheLargestLogit() {
        // softmax(0, ln 3) = (1/4, 3/4); a shift of every logit changes nothing.
        assertThat(ModelDrafter.topProbability(new float[]{0f, (float) Math.log(3)})).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(ModelDrafter.topProbability(new float[]{100f, 100f + (float) Math.log(3), 50f})).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-6));
    }
}
