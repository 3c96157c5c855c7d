package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gen.ModelGenerator;
import dev.loupe.core.gen.ModelShape;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * KV offload: a session whose blocks beyond a RAM budget live in a spill file computes exactly what an in-RAM one
 * does, keeps the file's resident pages to two layers, and turns every kind of damage to the file into a
 * recomputation (same logits), and a full disk into one clear error with no file left.
 */
class KvOffloadTest {
    static final int CTX = 512, PROMPT = 300, STEPS = 6;
    /** Eight layers, so the two-layer window is a quarter of a block; 32-wide heads allow a Q8_0 key cache. */
    static final ModelShape SHAPE = new ModelShape("llama", 64, 8, 2, 1, 32, 96, 0, CTX, 10000f, 1e-5f, false);
    static final KvFormat FORMAT = new KvFormat(GgmlType.Q8_0, GgmlType.F16);
    static Model model;
    static ThreadPool pool;
    static int[] prompt;
    /** Logits after the prompt and after each greedy step, with the whole cache in RAM. */
    static float[][] inRam;

    @TempDir
    static Path modelDir;

    @TempDir
    Path spill;

    @BeforeAll
    static void setUp() {
        Path f = modelDir.resolve("deep.gguf");
        new ModelGenerator(SHAPE, GgmlType.F32, 11, null, 0).write(f, "loupe-generated", null);
        model = Model.load(f);
        pool = new ThreadPool(2);
        SplittableRandom r = new SplittableRandom(5);
        prompt = new int[PROMPT];
        for (int i = 0; i < PROMPT; i++) prompt[i] = 1 + r.nextInt(model.config().vocabSize() - 1);
        try (Session s = new Session(model, CTX, pool, FORMAT)) {
            inRam = PagedKvCacheTest.greedy(s, s.prefill(prompt), STEPS);
        }
    }

    @AfterAll
    static void tearDown() {
        pool.close();
        model.close();
    }

    static long blockBytes() {
        return KvPool.bytesPerBlock(model.config(), KvPool.DEFAULT_BLOCK_SIZE, FORMAT);
    }

    /** A budget that keeps {@code resident} of the context's 32 blocks in RAM (see SpillStorage.residentBlocks). */
    static long budgetFor(int resident) {
        int blocks = CTX / KvPool.DEFAULT_BLOCK_SIZE;
        long layer = blockBytes() / SHAPE.layers();
        return resident * (blockBytes() - 2 * layer) + 2 * (blocks + SHAPE.layers()) * layer + 2 * blockBytes();
    }

    Session offloaded(int resident) {
        return new Session(model, CTX, pool, FORMAT, new KvOffload(spill, budgetFor(resident)));
    }

    Path spillFile() throws IOException {
        try (var files = Files.list(spill)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            return all.getFirst();
        }
    }

    @Test
    void theBudgetSplitsBlocksBetweenRamAndFile() {
        // 10 blocks of 800 bytes, 8 layers (100 bytes each): staging is 2 * (10 + 8) * 100 = 3600, scratch 1600.
        assertThat(SpillStorage.residentBlocks(8000, 10, 800, 8)).isEqualTo(10);
        assertThat(SpillStorage.residentBlocks(7999, 10, 800, 8)).isEqualTo(4);  // 4 * (800 - 200) + 5200 = 7600
        assertThat(SpillStorage.residentBlocks(5200, 10, 800, 8)).isEqualTo(0);
        assertThat(SpillStorage.residentBlocks(5800, 10, 800, 8)).isEqualTo(1);
        assertThatThrownBy(() -> SpillStorage.residentBlocks(5199, 10, 800, 8)).isInstanceOf(LoupeException.class)
                .hasMessageContaining("too small").hasMessageContaining("--kv-ram");
        // With two layers the window is the whole block: offloading cannot help.
        assertThatThrownBy(() -> SpillStorage.residentBlocks(7000, 10, 800, 2)).hasMessageContaining("too small");
    }

    @Test
    void anOffloadedSessionComputesWhatAnInRamOneDoesWithinItsBudget() throws IOException {
        long budget = budgetFor(8);
        try (Session s = offloaded(8)) {
            Path f = spillFile();
            float[][] out = PagedKvCacheTest.greedy(s, s.prefill(prompt), STEPS);
            assertThat(out).isDeepEqualTo(inRam);
            assertThat(s.recomputations()).isZero();
            // Positions 128..305 went to the file (blocks 8..19 of 24 spilled), layer-major after a one-page header.
            assertThat(Files.size(f)).isEqualTo(SpillStorage.HEADER_BYTES + (7 * 24 + 12) * (blockBytes() / SHAPE.layers()));
        }
        try (var files = Files.list(spill)) {
            assertThat(files).isEmpty(); // the spill file goes with the session
        }
        KvStorage st = SpillStorage.create(new KvOffload(spill, budget), 32, blockBytes(), SHAPE.layers());
        assertThat(((SpillStorage) st).residentBlocks()).isEqualTo(8);
        assertThat(((SpillStorage) st).residentBytesLimit()).isLessThanOrEqualTo(budget).isGreaterThan(budget - blockBytes());
        st.close();
    }

    @Test
    void aDamagedSliceIsRecomputedNotTrusted() throws IOException {
        try (Session s = offloaded(8)) {
            List<String> warnings = new ArrayList<>();
            s.onWarning(warnings::add);
            float[] first = s.prefill(prompt);
            assertThat(first).isEqualTo(inRam[0]);
            // Block 9 (positions 144..159) is the second spilled block; damage layer 3 of it (the file is layer-major).
            long layerBytes = blockBytes() / SHAPE.layers();
            overwrite(spillFile(), SpillStorage.HEADER_BYTES + (3 * 24 + 1) * layerBytes + 40, new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
            float[][] out = PagedKvCacheTest.greedy(s, first, STEPS);
            assertThat(out).isDeepEqualTo(inRam);
            assertThat(s.recomputations()).isEqualTo(1);
            assertThat(warnings).singleElement().asString()
                    .contains("is damaged: layer 3 of block 9 failed its checksum").contains("recomputing the 300 positions");
        }
    }

    @Test
    void aDamagedHeaderOrATruncatedFileIsRecomputed() throws IOException {
        try (Session s = offloaded(8)) {
            List<String> warnings = new ArrayList<>();
            s.onWarning(warnings::add);
            float[] first = s.prefill(prompt);
            overwrite(spillFile(), 12, new byte[]{9, 9, 9, 9});
            assertThat(s.forward(argmax(first), true)).isEqualTo(inRam[1]);
            try (FileChannel ch = FileChannel.open(spillFile(), StandardOpenOption.WRITE)) {
                ch.truncate(SpillStorage.HEADER_BYTES + 100); // the header stays, the rows are gone
            }
            assertThat(s.forward(argmax(inRam[1]), true)).isEqualTo(inRam[2]);
            assertThat(s.recomputations()).isEqualTo(2);
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(0)).contains("was changed by something else (its header)");
            assertThat(warnings.get(1)).contains("is damaged: layer 0 of blocks 8, 9, 10 and ").contains("failed its checksum");
        }
    }

    @Test
    void synthesizedRowsCannotBeRecomputedAndSaySo() throws IOException {
        try (Session s = offloaded(4)) {
            s.fillSynthetic(java.util.Arrays.copyOf(prompt, 20), 200, 1);
            s.forward(5, true);
            overwrite(spillFile(), SpillStorage.HEADER_BYTES + 100, new byte[]{7, 7, 7, 7});
            assertThatThrownBy(() -> s.forward(6, true)).isInstanceOf(LoupeException.class)
                    .hasMessageContaining("failed its checksum").hasMessageContaining("cannot be recomputed");
        }
    }

    @Test
    void aFullDiskIsOneErrorAndNoFileIsLeft() throws IOException {
        int[] writes = {0};
        KvStorage st = SpillStorage.create(new KvOffload(spill, budgetFor(8)), 32, blockBytes(), SHAPE.layers(), (ch, src, at) -> {
            if (++writes[0] == 20) throw new IOException("No space left on device");
            ch.write(src, at);
        });
        try (Session s = new Session(model, CTX, pool, FORMAT, null)) {
            s.prefill(prompt); // rows to copy into the offloaded pool
        }
        SpillStorage sp = (SpillStorage) st;
        assertThatThrownBy(() -> {
            for (int l = 0; l < SHAPE.layers(); l++) {
                for (int id = 8; id < 32; id++) {
                    sp.writable(id, l).set(java.lang.foreign.ValueLayout.JAVA_BYTE, l * (blockBytes() / SHAPE.layers()), (byte) 1);
                }
            }
            sp.beginLayer(0);
        }).isInstanceOf(LoupeException.class)
                .hasMessage("cannot spill the KV cache to " + spill + ": No space left on device (the offload file is removed)");
        try (var files = Files.list(spill)) {
            assertThat(files).isEmpty();
        }
        assertThatThrownBy(() -> sp.beginLayer(0)).hasMessageContaining("closed after an error");
        assertThatThrownBy(() -> new Session(model, CTX, pool, FORMAT, new KvOffload(spill, 1000)))
                .isInstanceOf(LoupeException.class).hasMessageContaining("too small for this context");
        assertThatThrownBy(() -> new KvOffload(spill.resolve("nope"), 1000)).hasMessageContaining("does not exist");
    }

    static int argmax(float[] v) {
        return LlamaCppAgreementTest.argmax(v);
    }

    static void overwrite(Path f, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }
}
