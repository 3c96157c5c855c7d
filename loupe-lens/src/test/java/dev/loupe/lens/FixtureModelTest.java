package dev.loupe.lens;

import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Tests on the tiny-llama-f32 fixture, loaded once per test class. */
abstract class FixtureModelTest {
    /** "The capital of France is" with BOS, as llama.cpp tokenized it (../shared/fixtures/reference/tiny-llama-f32.json). */
    static final int[] PROMPT = {1, 450, 7483, 310, 3444, 338};
    static Model model;
    static ThreadPool pool;
    static HookedModel hm;

    @BeforeAll
    static void load() {
        model = TestModels.load("tiny-llama-f32");
        pool = new ThreadPool(2);
        hm = new HookedModel(model, pool);
    }

    @AfterAll
    static void close() {
        pool.close();
        model.close();
    }
}
