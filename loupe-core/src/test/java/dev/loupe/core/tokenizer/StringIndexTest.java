package dev.loupe.core.tokenizer;

import dev.loupe.core.gguf.GgufStrings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The byte index against the HashMaps it replaced: putIfAbsent (first wins) and put (last wins). */
class StringIndexTest {
    @Test
    void duplicatesResolveToTheFirstOrTheLastAndAllAreFound() {
        StringIndex idx = new StringIndex(GgufStrings.of(new String[]{"a", "ab", "a", "Ġthe", "ab", "日本", "a"}));
        assertThat(idx.lowest("a")).isZero();
        assertThat(idx.highest("a")).isEqualTo(6);
        assertThat(idx.lowest("ab")).isEqualTo(1);
        assertThat(idx.highest("ab")).isEqualTo(4);
        assertThat(idx.highest("日本")).isEqualTo(5);
        assertThat(idx.lowest("b")).isEqualTo(-1);
        assertThat(idx.lowest("abc")).isEqualTo(-1);
        List<Integer> all = new ArrayList<>();
        idx.forEach("a", all::add);
        assertThat(all).containsExactlyInAnyOrder(0, 2, 6);
    }

    @Test
    void agreesWithHashMapsOnManyRandomKeys() {
        Random r = new Random(7);
        String alphabet = "abĠ▁é日🦙 ";
        int[] cps = alphabet.codePoints().toArray();
        String[] words = new String[20_000];
        for (int i = 0; i < words.length; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(6); k >= 0; k--) sb.appendCodePoint(cps[r.nextInt(cps.length)]);
            words[i] = sb.toString();
        }
        Map<String, Integer> first = new HashMap<>(), last = new HashMap<>();
        for (int i = 0; i < words.length; i++) {
            first.putIfAbsent(words[i], i);
            last.put(words[i], i);
        }
        StringIndex idx = new StringIndex(GgufStrings.of(words));
        for (int q = 0; q < 5_000; q++) {
            String key = q % 2 == 0 ? words[r.nextInt(words.length)] : words[r.nextInt(words.length)] + "x";
            assertThat(idx.lowest(key)).as(key).isEqualTo(first.getOrDefault(key, -1));
            assertThat(idx.highest(key)).as(key).isEqualTo(last.getOrDefault(key, -1));
        }
    }
}
