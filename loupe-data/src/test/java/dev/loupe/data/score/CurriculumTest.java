package dev.loupe.data.score;

import dev.loupe.core.LoupeException;
import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.curriculum.Curriculum;
import dev.loupe.data.curriculum.Difficulty;
import dev.loupe.data.io.DocReader;
import dev.loupe.data.pipeline.InputSpec;
import dev.loupe.train.SplitMix64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Curriculum order: by a metadata field (exact expected order), and by a proxy model's loss (real tiny run). */
class CurriculumTest {
    @TempDir
    Path tmp;

    static Document doc(String id, String text, Object score) {
        return new Document(id, text, score == null ? Map.of() : Map.of("ppl", score), new DocKey(0, Long.parseLong(id)));
    }

    @Test
    void ordersByFieldStableOnTiesNaNLast() {
        List<Document> docs = List.of(doc("1", "a", 3.0), doc("2", "b", 1.0), doc("3", "c", Double.NaN), doc("4", "d", 1.0), doc("5", "e", 2));
        List<String> ids = Curriculum.order(docs, new Difficulty.Field("ppl", false), 2).stream().map(s -> s.doc().id()).toList();
        assertThat(ids).containsExactly("2", "4", "5", "1", "3");
        List<String> desc = Curriculum.order(docs, new Difficulty.Field("ppl", true), 2).stream().map(s -> s.doc().id()).toList();
        assertThat(desc).containsExactly("1", "5", "2", "4", "3");
        assertThatThrownBy(() -> Curriculum.order(List.of(doc("9", "x", null)), new Difficulty.Field("ppl", false), 1))
                .isInstanceOf(LoupeException.class).hasMessageContaining("9: no numeric metadata field 'ppl'");
    }

    @Test
    void proxyLossPutsWhatTheModelKnowsFirst() throws IOException {
        // Grammar sentences the run trained on, and random letters it never saw, interleaved in the input.
        SplitMix64 r = new SplitMix64(40);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            String text = (i % 2 == 0 ? TinyCheckpoints.noise(r, 10) : TinyCheckpoints.grammar(r, 2).replace('\n', ' ')).strip();
            jsonl.append("{\"id\":\"").append(i % 2 == 0 ? "noise" : "known").append(i).append("\",\"text\":\"").append(text).append("\"}\n");
        }
        Path in = tmp.resolve("in.jsonl");
        Files.writeString(in, jsonl);
        Path out = tmp.resolve("ordered.jsonl.gz");
        ModelLoss proxy = new ModelLoss(TinyCheckpoints.late.toString(), 128);
        int n = Curriculum.run(new InputSpec(List.of(in.toString()), null, null, null), new Difficulty.ProxyLoss(proxy), out, 2);
        assertThat(n).isEqualTo(6);
        List<Document> back = new ArrayList<>();
        new DocReader(null, "text", "id").read(out, 0, back::add, e -> { throw new AssertionError(e.toString()); });
        assertThat(back.subList(0, 3)).extracting(Document::id).containsExactlyInAnyOrder("known1", "known3", "known5");
        assertThat(back.subList(3, 6)).extracting(Document::id).containsExactlyInAnyOrder("noise0", "noise2", "noise4");
        double previous = Double.NEGATIVE_INFINITY;
        for (Document d : back) {
            double difficulty = (double) d.metadata().get("difficulty");
            assertThat(difficulty).isGreaterThanOrEqualTo(previous).isCloseTo(proxy.loss(d.text()), org.assertj.core.api.Assertions.within(1e-4));
            previous = difficulty;
        }
    }
}
