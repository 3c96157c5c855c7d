package dev.loupe.core.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** String arrays read from a file stay UTF-8 bytes until asked for; what they give must be what was written. */
class GgufStringsTest {
    @TempDir
    Path dir;

    private static final String[] WORDS = {"<s>", "", "▁the", "🦙", "héllo wörld", "a b", ""};

    @Test
    void aReadArrayGivesTheWrittenStringsAndTheirBytes() {
        Path f = dir.resolve("s.gguf");
        new GgufWriter().put("w", MetadataValue.array(ValueType.STRING, WORDS)).write(f);
        try (GgufFile g = GgufFile.open(f)) {
            GgufStrings s = g.metadata().getStrings("w");
            assertThat(s.size()).isEqualTo(WORDS.length);
            for (int i = 0; i < WORDS.length; i++) {
                byte[] utf8 = WORDS[i].getBytes(StandardCharsets.UTF_8);
                assertThat(s.length(i)).as("length of %d", i).isEqualTo(utf8.length);
                assertThat(java.util.Arrays.copyOfRange(s.bytes(), s.start(i), s.start(i) + s.length(i))).isEqualTo(utf8);
                assertThat(s.equals(i, utf8, 0, utf8.length)).isTrue();
                assertThat(s.get(i)).isEqualTo(WORDS[i]);
            }
            assertThat(s.equals(0, "<t>".getBytes(StandardCharsets.UTF_8), 0, 3)).isFalse();
            assertThat(s.equals(0, "<s".getBytes(StandardCharsets.UTF_8), 0, 2)).isFalse();
            // The compatible view: value() decodes into a fresh String[], which a caller may change freely.
            String[] a = g.metadata().getStringArray("w");
            assertThat(a).containsExactly(WORDS);
            a[0] = "changed";
            assertThat(g.metadata().getStringArray("w")[0]).isEqualTo("<s>");
            assertThat(g.metadata().get("w").orElseThrow().arrayLength()).isEqualTo(WORDS.length);
        }
    }

    @Test
    void stringsBuiltInMemoryHaveTheSameLayoutAsReadOnes() {
        GgufStrings s = GgufStrings.of(WORDS);
        assertThat(s.toArray()).containsExactly(WORDS);
        for (int i = 0; i < WORDS.length; i++) {
            assertThat(s.length(i)).isEqualTo(WORDS[i].getBytes(StandardCharsets.UTF_8).length);
        }
        assertThat(MetadataValue.array(ValueType.STRING, WORDS).strings().get(3)).isEqualTo("🦙");
        assertThat(GgufStrings.of(new String[0]).size()).isZero();
    }

    @Test
    void aReadArrayEqualsTheSameArrayMadeInMemory() {
        Path f = dir.resolve("s.gguf");
        MetadataValue made = MetadataValue.array(ValueType.STRING, WORDS);
        new GgufWriter().put("w", made).write(f);
        try (GgufFile g = GgufFile.open(f)) {
            MetadataValue read = g.metadata().get("w").orElseThrow();
            assertThat(read).isEqualTo(made);
            assertThat(read.hashCode()).isEqualTo(made.hashCode());
            assertThat(read.display(2)).isEqualTo("[\"<s>\", \"\", ... (7 items)]");
        }
    }
}
