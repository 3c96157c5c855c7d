package dev.loupe.core.model;

import dev.loupe.core.Fixtures;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repack cache against repacking into memory: every repacked matrix must have the same bytes whichever way it was
 * made, a complete cache must be mapped rather than rebuilt, and anything wrong with a cache or its directory must
 * cost a rebuild (or an in-memory repack), never an error or other weights.
 */
class RepackCacheTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama-q4_0.gguf", "small-llama-q4_k_m.gguf"})
    void theSecondLoadMapsWhatTheFirstWrote(String name) throws IOException {
        Path model = copy(name);
        Path cache = dir.resolve("cache");
        List<byte[]> expected = load(model, null, Regrouper.Cache.NONE);
        assertThat(expected).as("the fixture has repackable matrices").isNotEmpty();

        assertSameBytes(load(model, cache, Regrouper.Cache.WRITTEN), expected);
        assertThat(files(cache)).singleElement().satisfies(p -> assertThat(p.toString()).endsWith(RepackCache.SUFFIX));
        long written = Files.getLastModifiedTime(files(cache).get(0)).toMillis();

        assertSameBytes(load(model, cache, Regrouper.Cache.MAPPED), expected);
        assertThat(files(cache)).singleElement();
        assertThat(Files.getLastModifiedTime(files(cache).get(0)).toMillis()).as("mapped, not rewritten").isEqualTo(written);
    }

    @Test
    void aDamagedCacheIsRebuiltNotTrusted() throws IOException {
        Path model = copy("small-llama-q4_k_m.gguf");
        Path cache = dir.resolve("cache");
        List<byte[]> expected = load(model, null, Regrouper.Cache.NONE);
        List<Consumer<Path>> damages = List.of(
                p -> truncate(p, Size.HALF),
                p -> truncate(p, Size.HEADER_ONLY),
                p -> poke(p, 0, (byte) 'X'),            // magic
                p -> poke(p, 12, (byte) 0x55),          // content key
                p -> poke(p, 20, (byte) 0x7F),          // table offset, far past the end
                p -> poke(p, 28, (byte) 0x7F));         // entry count
        load(model, cache, Regrouper.Cache.WRITTEN);
        for (Consumer<Path> damage : damages) {
            damage.accept(files(cache).get(0));
            assertSameBytes(load(model, cache, Regrouper.Cache.WRITTEN), expected);
            assertSameBytes(load(model, cache, Regrouper.Cache.MAPPED), expected);
            assertThat(files(cache)).singleElement();
        }
    }

    @Test
    void aModelChangedInPlaceGetsANewCacheAndTheOldOneGoes() throws IOException {
        Path model = copy("tiny-llama-q4_0.gguf");
        Path cache = dir.resolve("cache");
        load(model, cache, Regrouper.Cache.WRITTEN);
        Path first = files(cache).get(0);
        Files.setLastModifiedTime(model, FileTime.fromMillis(Files.getLastModifiedTime(model).toMillis() - 60_000));
        load(model, cache, Regrouper.Cache.WRITTEN);
        assertThat(files(cache)).singleElement().isNotEqualTo(first);
        load(model, cache, Regrouper.Cache.MAPPED);
    }

    @Test
    void anUnusableDirectoryMeansRepackingInMemory() throws IOException {
        Path model = copy("tiny-llama-q4_0.gguf");
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        List<byte[]> expected = load(model, null, Regrouper.Cache.NONE);
        assertSameBytes(load(model, notADirectory.resolve("cache"), Regrouper.Cache.NONE), expected);
    }

    @Test
    void aLoadThatFailsLeavesNoCache() throws IOException {
        Path model = copy("tiny-llama-q4_0.gguf");
        Path cache = dir.resolve("cache");
        try (GgufFile f = GgufFile.open(model); Regrouper g = new Regrouper(f, cache)) {
            assertThat(g.cache()).isEqualTo(Regrouper.Cache.WRITTEN);
            ModelConfig c = ModelConfig.fromMetadata(f.metadata(), Math.toIntExact(f.tensor("token_embd.weight").shape()[1]));
            Weights.load(f, c, g); // repacks, but the caller never marks the load kept (as when a later step throws)
        }
        RepackCache.awaitCommits();
        assertThat(files(cache)).as("no cache, no temporary file").isEmpty();
        load(model, cache, Regrouper.Cache.WRITTEN);
    }

    @Test
    void temporaryFilesOfDeadWritersAreRemovedButNotLiveOnes() throws IOException {
        Path model = copy("tiny-llama-q4_0.gguf");
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path abandoned = Files.writeString(cache.resolve("0123abcd-00" + RepackCache.SUFFIX + "17.tmp"), "partial");
        Files.setLastModifiedTime(abandoned, FileTime.fromMillis(System.currentTimeMillis() - TimeUnit.HOURS.toMillis(2)));
        Path live = Files.writeString(cache.resolve("4567abcd-00" + RepackCache.SUFFIX + "18.tmp"), "being written");
        load(model, cache, Regrouper.Cache.WRITTEN);
        assertThat(abandoned).doesNotExist();
        assertThat(live).exists();
    }

    /** Loads {@code model}'s weights with the cache in {@code cache}, checks where they came from, returns the repacked matrices' bytes. */
    private static List<byte[]> load(Path model, Path cache, Regrouper.Cache expected) {
        try (GgufFile f = GgufFile.open(model)) {
            ModelConfig c = ModelConfig.fromMetadata(f.metadata(), Math.toIntExact(f.tensor("token_embd.weight").shape()[1]));
            Weights w;
            try (Regrouper g = new Regrouper(f, cache)) {
                assertThat(g.cache()).isEqualTo(expected);
                w = Weights.load(f, c, g);
                g.keep();
            }
            RepackCache.awaitCommits(); // a cache is committed in the background

            List<byte[]> out = new ArrayList<>();
            List<Tensor> all = new ArrayList<>(List.of(w.tokenEmbedding(), w.output()));
            for (LayerWeights l : w.layers()) all.addAll(List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()));
            for (Tensor t : all) if (t.groups() != null) out.add(t.data().toArray(ValueLayout.JAVA_BYTE));
            return out;
        }
    }

    /** Matrix by matrix (AssertJ's element-wise comparison of megabyte arrays takes minutes). */
    private static void assertSameBytes(List<byte[]> actual, List<byte[]> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(Arrays.equals(actual.get(i), expected.get(i))).as("matrix %d has the bytes of an in-memory repack", i).isTrue();
        }
    }

    private Path copy(String name) throws IOException {
        return Files.copy(Fixtures.model(name), dir.resolve(name));
    }

    private static List<Path> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    private enum Size { HALF, HEADER_ONLY }

    private static void truncate(Path p, Size size) {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size == Size.HALF ? f.length() / 2 : 4096);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static void poke(Path p, long at, byte value) {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(at);
            f.write(value);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
