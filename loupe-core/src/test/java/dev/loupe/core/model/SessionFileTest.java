package dev.loupe.core.model;

import dev.loupe.core.Fixtures;
import dev.loupe.core.model.SessionFileException.Reason;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Saved sessions: a restored session computes exactly what a fresh one does, and every kind of bad file (flipped
 * byte, truncation, another model, another cache type, a hostile length, not a session at all) is rejected, leaving
 * the session empty so recomputing gives the same logits as never having had a file.
 */
class SessionFileTest {
    static final int CTX = 128;
    static Model model;
    static ThreadPool pool;
    static ModelFingerprint fp;
    static int[] prompt;
    /** Logits after each of 41 prompt tokens' prefix, computed fresh: [prefix length 40] and the full 41. */
    static float[] fresh40, fresh41;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        model = Model.load(Fixtures.model("tiny-llama-q8_0.gguf"));
        pool = new ThreadPool(2);
        fp = ModelFingerprint.of(model, "");
        prompt = PagedKvCacheTest.longPrompt(Reference.load("tiny-llama-q8_0"), 41); // spans three 16-position blocks
        try (Session s = new Session(model, CTX, pool)) {
            fresh40 = s.prefill(Arrays.copyOf(prompt, 40)).clone();
            fresh41 = s.forward(prompt[40], true).clone();
        }
    }

    @AfterAll
    static void close() {
        pool.close();
        model.close();
    }

    /** A file holding the first 40 prompt tokens. */
    Path saved() {
        Path f = dir.resolve("prompt.session");
        try (Session s = new Session(model, CTX, pool)) {
            s.prefill(Arrays.copyOf(prompt, 40));
            s.save(f, Arrays.copyOf(prompt, 40), fp);
        }
        return f;
    }

    @Test
    void aRestoredSessionGivesTheLogitsOfAFreshPrefill() {
        Path f = saved();
        // The same prompt: all but its last token come from the file, the last is computed for its logits.
        try (Session s = new Session(model, CTX, pool)) {
            SessionFile.Restored r = s.restore(f, Arrays.copyOf(prompt, 40), fp);
            assertThat(r).isEqualTo(new SessionFile.Restored(39, 40));
            assertThat(s.position()).isEqualTo(39);
            assertThat(s.prefill(new int[]{prompt[39]})).isEqualTo(fresh40);
        }
        // A longer prompt: all 40 saved positions are used.
        try (Session s = new Session(model, CTX, pool)) {
            assertThat(s.restore(f, prompt, fp).positions()).isEqualTo(40);
            assertThat(s.prefill(new int[]{prompt[40]})).isEqualTo(fresh41);
            // and decoding goes on exactly as after a fresh prefill
            float[][] restored = PagedKvCacheTest.greedy(s, fresh41, 8);
            try (Session t = new Session(model, CTX, pool)) {
                assertThat(restored).isDeepEqualTo(PagedKvCacheTest.greedy(t, t.prefill(prompt), 8));
            }
        }
    }

    @Test
    void aPromptThatDivergesUsesTheCommonPrefixOnly() {
        Path f = saved();
        int[] other = prompt.clone();
        other[20] = other[20] == 5 ? 6 : 5;
        float[] expected;
        try (Session s = new Session(model, CTX, pool)) {
            expected = s.prefill(other).clone();
        }
        try (Session s = new Session(model, CTX, pool)) {
            assertThat(s.restore(f, other, fp).positions()).isEqualTo(20);
            assertThat(s.prefill(Arrays.copyOfRange(other, 20, other.length))).isEqualTo(expected);
        }
    }

    @Test
    void aPagedSessionRestoresIntoPoolBlocksAndGivesThemBackOnRejection() throws IOException {
        Path f = saved();
        Forward engine = new Forward(model, pool, 8, CTX);
        KvPool kv = new KvPool(model.config(), 16, 4);
        Session s = new Session(model, CTX, engine, kv);
        assertThat(s.restore(f, prompt, fp).positions()).isEqualTo(40);
        assertThat(s.blocks()).isEqualTo(10);
        assertThat(s.prefill(new int[]{prompt[40]})).isEqualTo(fresh41);
        s.rewind(0);
        flip(f, Files.size(f) - 10);
        assertThatThrownBy(() -> s.restore(f, prompt, fp)).isInstanceOf(SessionFileException.class);
        assertThat(kv.freeBlocks()).isEqualTo(kv.blocks());
    }

    @Test
    void aFlippedByteInTheRowsFailsTheChecksum() throws IOException {
        Path f = saved();
        flip(f, Files.size(f) / 2);
        assertRejected(f, Reason.CHECKSUM);
    }

    @Test
    void aFlippedByteInTheTokensFailsTheChecksum() throws IOException {
        Path f = saved();
        flip(f, SessionFile.HEADER_BYTES + 4 * 3);
        assertRejected(f, Reason.CHECKSUM);
    }

    @Test
    void aFlippedChecksumIsRejected() throws IOException {
        Path f = saved();
        flip(f, Files.size(f) - 1);
        assertRejected(f, Reason.CHECKSUM);
    }

    @Test
    void aTruncatedFileIsRejected() throws IOException {
        Path f = saved();
        for (long keep : new long[]{Files.size(f) - 1, Files.size(f) / 3, SessionFile.HEADER_BYTES, 20}) {
            byte[] all = Files.readAllBytes(f);
            Path cut = dir.resolve("cut" + keep);
            Files.write(cut, Arrays.copyOf(all, (int) keep));
            assertRejected(cut, Reason.TRUNCATED);
        }
    }

    @Test
    void aHostileTokenCountIsRejectedBeforeAnythingIsAllocated() throws IOException {
        Path f = saved();
        for (int n : new int[]{Integer.MAX_VALUE, -1, SessionFile.MAX_TOKENS, 41}) {
            putInt(f, 84, n);
            assertRejected(f, Reason.TRUNCATED);
        }
    }

    @Test
    void aFileOfAnotherModelIsRejected() throws IOException {
        Path f = saved();
        try (Model other = Model.load(Fixtures.model("tiny-llama-q4_0.gguf"))) {
            ModelFingerprint otherFp = ModelFingerprint.of(other, "");
            assertThat(otherFp).isNotEqualTo(fp);
            try (Session s = new Session(other, CTX, pool)) {
                assertThatThrownBy(() -> s.restore(f, prompt, otherFp))
                        .isInstanceOfSatisfying(SessionFileException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OTHER_MODEL))
                        .hasMessageContaining("another model");
            }
        }
        // the same file with an adapter or steering (named in the run key) is another model too
        assertThat(ModelFingerprint.of(model, "lora=a.gguf:1.0")).isNotEqualTo(fp);
        assertThat(ModelFingerprint.of(model, "")).isEqualTo(fp);
        assertRejected(f, Reason.OTHER_MODEL, ModelFingerprint.of(model, "steer=x"));
    }

    @Test
    void aFileOfAnotherCacheTypeIsRejected() throws IOException {
        Path f = saved();
        KvFormat f32 = new KvFormat(GgmlType.F16, GgmlType.F32);
        try (Session s = new Session(model, CTX, pool, f32)) {
            assertThatThrownBy(() -> s.restore(f, prompt, fp))
                    .isInstanceOfSatisfying(SessionFileException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OTHER_KV_TYPE))
                    .hasMessageContaining("f16/f16").hasMessageContaining("f16/f32");
            assertThat(s.position()).isZero();
        }
        putInt(f, 56, 2 * model.config().kvDim() + 2); // another row width
        assertRejected(f, Reason.OTHER_KV_TYPE);
    }

    @Test
    void aQuantizedCacheRoundTripsBitForBit() {
        KvFormat q = new KvFormat(GgmlType.Q8_0, GgmlType.Q4_0); // needs 32-wide heads: the small fixture has 64
        Path f = dir.resolve("q.session");
        float[] expected;
        try (Model small = Model.load(Fixtures.model("small-llama-q6_k.gguf"))) {
            ModelFingerprint smallFp = ModelFingerprint.of(small, "");
            try (Session s = new Session(small, CTX, pool, q)) {
                s.prefill(Arrays.copyOf(prompt, 40));
                s.save(f, Arrays.copyOf(prompt, 40), smallFp);
                expected = s.forward(prompt[40], true).clone();
            }
            try (Session s = new Session(small, CTX, pool, q)) {
                assertThat(s.restore(f, prompt, smallFp).positions()).isEqualTo(40);
                assertThat(s.forward(prompt[40], true)).isEqualTo(expected);
            }
            try (Session s = new Session(small, CTX, pool)) {
                assertThatThrownBy(() -> s.restore(f, prompt, smallFp)).hasMessageContaining("q8_0/q4_0");
            }
        }
    }

    @Test
    void foreignAndFutureFilesAreRejected() throws IOException {
        assertRejected(Fixtures.model("tiny-llama-q8_0.gguf"), Reason.FOREIGN);
        Path empty = Files.createFile(dir.resolve("empty"));
        assertRejected(empty, Reason.FOREIGN);
        Path f = saved();
        putInt(f, 8, 2);
        assertRejected(f, Reason.VERSION);
        assertRejected(dir.resolve("missing"), Reason.IO);
    }

    @Test
    void savingReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
        Path f = saved();
        try (Session s = new Session(model, CTX, pool)) {
            s.prefill(Arrays.copyOf(prompt, 10));
            s.save(f, Arrays.copyOf(prompt, 10), fp);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("prompt.session");
        }
        try (Session s = new Session(model, CTX, pool)) {
            assertThat(s.restore(f, prompt, fp)).isEqualTo(new SessionFile.Restored(10, 10));
        }
        Path noDir = dir.resolve("no/such/dir/x.session");
        try (Session s = new Session(model, CTX, pool)) {
            s.prefill(Arrays.copyOf(prompt, 4));
            assertThatThrownBy(() -> s.save(noDir, Arrays.copyOf(prompt, 4), fp))
                    .isInstanceOfSatisfying(SessionFileException.class, e -> assertThat(e.reason()).isEqualTo(Reason.IO));
        }
    }

    /** The file is rejected for {@code reason}, the session stays empty, and recomputing gives the fresh logits. */
    private void assertRejected(Path f, Reason reason) {
        assertRejected(f, reason, fp);
    }

    private void assertRejected(Path f, Reason reason, ModelFingerprint with) {
        try (Session s = new Session(model, CTX, pool)) {
            assertThatThrownBy(() -> s.restore(f, prompt, with))
                    .isInstanceOfSatisfying(SessionFileException.class, e -> {
                        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
                        assertThat(e.getMessage()).doesNotContain("\n");
                    });
            assertThat(s.position()).isZero();
            assertThat(s.prefill(prompt)).isEqualTo(fresh41);
        }
    }

    static void flip(Path f, long at) throws IOException {
        byte[] all = Files.readAllBytes(f);
        all[(int) at] ^= 0x10;
        Files.write(f, all);
    }

    static void putInt(Path f, int at, int value) throws IOException {
        byte[] all = Files.readAllBytes(f);
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        Files.write(f, all);
    }
}
