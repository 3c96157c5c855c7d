package dev.loupe.core.model;

import dev.loupe.core.Fixtures;
import dev.loupe.core.LoupeException;
import dev.loupe.core.parallel.ThreadPool;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sessions whose caches are block tables on one shared pool compute exactly what a session with a private,
 * contiguous cache computes, however their blocks interleave; shared prefix blocks are read, never written; every
 * block goes back to the pool.
 */
class PagedKvCacheTest {
    static final int CTX = 128;

    /** A prompt of {@code n} tokens built from the fixture's first prompt (repeated), so it spans several blocks. */
    static int[] longPrompt(Reference ref, int n) {
        int[] base = ref.prompts().getFirst().promptIds();
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = base[i % base.length];
        return p;
    }

    /** Logits after the prompt, then after each of {@code steps} greedy tokens, on a private session. */
    static float[][] alone(Model model, ThreadPool pool, int[] prompt, int steps) {
        try (Session s = new Session(model, CTX, pool)) {
            return greedy(s, s.prefill(prompt), steps);
        }
    }

    static float[][] greedy(Session s, float[] logits, int steps) {
        float[][] out = new float[steps + 1][];
        out[0] = logits.clone();
        for (int i = 0; i < steps; i++) out[i + 1] = s.forward(LlamaCppAgreementTest.argmax(out[i]), true).clone();
        return out;
    }

    @Test
    void interleavedBlocksGiveTheSameLogitsAsAPrivateCache() throws Exception {
        Reference ref = Reference.load("tiny-llama-q8_0");
        try (Model model = Model.load(Fixtures.model("tiny-llama-q8_0.gguf")); ThreadPool pool = new ThreadPool(2)) {
            int[] a = longPrompt(ref, 37), b = ref.prompts().get(1).promptIds();
            int steps = 20;
            float[][] aloneA = alone(model, pool, a, steps), aloneB = alone(model, pool, b, steps);

            Forward engine = new Forward(model, pool, 8, CTX);
            KvPool kv = new KvPool(model.config(), 32, 4); // 4-position blocks: the two tables interleave often
            Session sa = new Session(model, CTX, engine, kv), sb = new Session(model, CTX, engine, kv);
            float[][] pagedA = new float[steps + 1][], pagedB = new float[steps + 1][];
            pagedB[0] = sb.prefill(b).clone();
            pagedA[0] = sa.prefill(a).clone();
            int vocab = model.config().vocabSize();
            for (int i = 0; i < steps; i++) {
                int[] next = {LlamaCppAgreementTest.argmax(pagedA[i]), LlamaCppAgreementTest.argmax(pagedB[i])};
                float[] rows = engine.decode(new Session[]{sa, sb}, next, 2);
                pagedA[i + 1] = Arrays.copyOfRange(rows, 0, vocab);
                pagedB[i + 1] = Arrays.copyOfRange(rows, vocab, 2 * vocab);
            }
            int[] idsA = sa.blockIds(), idsB = sb.blockIds();
            assertThat(idsA).hasSize(kv.blocksFor(a.length + steps));
            assertThat(isContiguous(idsA) && isContiguous(idsB)).as("tables %s %s", Arrays.toString(idsA), Arrays.toString(idsB)).isFalse();
            for (int i = 0; i <= steps; i++) {
                assertThat(pagedA[i]).as("A step %d", i).isEqualTo(aloneA[i]);
                assertThat(pagedB[i]).as("B step %d", i).isEqualTo(aloneB[i]);
            }
            assertThat(kv.usedBlocks()).isEqualTo(idsA.length + idsB.length);
            sa.rewind(0);
            sb.rewind(0);
            assertThat(kv.freeBlocks()).isEqualTo(kv.blocks());
        }
    }

    @Test
    void anAdoptedPrefixIsSharedNotRecomputedAndRewindingCopiesOnWrite() throws Exception {
        Reference ref = Reference.load("tiny-llama-q8_0");
        try (Model model = Model.load(Fixtures.model("tiny-llama-q8_0.gguf")); ThreadPool pool = new ThreadPool(2)) {
            int[] prompt = longPrompt(ref, 45);
            // The reference computes the same chunks (the matmul's sums may group differently for another row count).
            float[][] expected;
            try (Session s = new Session(model, CTX, pool)) {
                s.prefill(Arrays.copyOf(prompt, 40));
                s.rewind(32);
                expected = greedy(s, s.prefill(Arrays.copyOfRange(prompt, 32, 45)), 4);
            }
            float[] expectedAfterRewind;
            try (Session s = new Session(model, CTX, pool)) {
                s.prefill(Arrays.copyOf(prompt, 40));
                s.rewind(28);
                expectedAfterRewind = s.prefill(Arrays.copyOfRange(prompt, 28, 45)).clone();
            }

            Forward engine = new Forward(model, pool, 64, CTX);
            KvPool kv = new KvPool(model.config(), 32, 8);
            Session first = new Session(model, CTX, engine, kv);
            first.prefill(Arrays.copyOf(prompt, 40)); // five full blocks
            int[] shared = first.blockIds();

            Session second = new Session(model, CTX, engine, kv);
            second.adoptPrefix(shared, 4);
            assertThat(second.position()).isEqualTo(32);
            for (int i = 0; i < 4; i++) assertThat(kv.references(shared[i])).isEqualTo(2);
            int used = kv.usedBlocks();
            float[] logits = second.prefill(Arrays.copyOfRange(prompt, 32, 45));
            assertThat(kv.usedBlocks()).isEqualTo(used + 2); // positions 32..44: two blocks of its own
            assertThat(greedy(second, logits, 4)).isDeepEqualTo(expected);

            // Rewinding into a shared block must not touch what `first` reads: `second` gets its own copy.
            float[] keysBefore = keysOfBlock(kv, shared[3]);
            second.rewind(28);
            assertThat(second.blockIds()[3]).isNotEqualTo(shared[3]);
            assertThat(kv.references(shared[3])).isEqualTo(1);
            float[] again = second.prefill(Arrays.copyOfRange(prompt, 28, 45));
            assertThat(again).isEqualTo(expectedAfterRewind);
            assertThat(keysOfBlock(kv, shared[3])).isEqualTo(keysBefore);

            first.rewind(0);
            second.rewind(0);
            assertThat(kv.freeBlocks()).isEqualTo(kv.blocks());
        }
    }

    @Test
    void copyingAPrefixAcrossCachesKeepsTheLogits() throws Exception {
        Reference ref = Reference.load("tiny-llama-q8_0");
        try (Model model = Model.load(Fixtures.model("tiny-llama-q8_0.gguf")); ThreadPool pool = new ThreadPool(2);
             Session source = new Session(model, CTX, pool)) {
            int[] prompt = longPrompt(ref, 37);
            source.prefill(Arrays.copyOf(prompt, 36));
            KvPool kv = new KvPool(model.config(), 16, 4); // other block size than the private cache's 16
            Session copy = new Session(model, CTX, new Forward(model, pool, 8, CTX), kv);
            copy.copyPrefixFrom(source, 36);
            assertThat(copy.blocks()).isEqualTo(9);
            assertThat(copy.forward(prompt[36], true)).isEqualTo(source.forward(prompt[36], true));
        }
    }

    @Test
    void aFullPoolRefusesWithoutTakingAnything() throws Exception {
        try (Model model = Model.load(Fixtures.model("tiny-llama-q8_0.gguf")); ThreadPool pool = new ThreadPool(1)) {
            Forward engine = new Forward(model, pool, 8, CTX);
            KvPool kv = new KvPool(model.config(), 3, 4);
            Session a = new Session(model, CTX, engine, kv), b = new Session(model, CTX, engine, kv);
            assertThat(a.reserve(9)).isTrue(); // three blocks
            assertThat(b.reserve(1)).isFalse();
            assertThat(b.blocks()).isZero();
            assertThatThrownBy(() -> b.forward(1, true)).isInstanceOf(LoupeException.class).hasMessageContaining("pool is full");
            assertThat(b.position()).isZero();
            a.rewind(0);
            assertThat(b.reserve(12)).isTrue();
            assertThat(kv.freeBlocks()).isZero();
        }
    }

    /** Layer 0's keys of every slot of a block, decoded. */
    private static float[] keysOfBlock(KvPool kv, int block) {
        int kvDim = (int) (kv.keyRowBytes() / 2); // F16 rows
        float[] out = new float[kv.blockSize() * kvDim];
        for (int s = 0; s < kv.blockSize(); s++) kv.readKey(0, block * kv.blockSize() + s, out, s * kvDim);
        return out;
    }

    private static boolean isContiguous(int[] ids) {
        for (int i = 1; i < ids.length; i++) if (ids[i] != ids[i - 1] + 1) return false;
        return true;
    }
}
