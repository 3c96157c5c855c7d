package dev.loupe.data.dedup;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.GlobalStep;
import dev.loupe.data.step.Outcome;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DedupStepsTest {
    static List<Document> docs(String... texts) {
        List<Document> out = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) out.add(new Document("d" + i, texts[i], Map.of(), new DocKey(0, i)));
        return out;
    }

    static <S extends Serializable> List<Outcome> run(GlobalStep<S> g, List<Document> docs) {
        List<GlobalStep.Signed<S>> sigs = docs.stream().map(d -> new GlobalStep.Signed<>(d.key(), g.signature(d))).toList();
        DocStep plan = g.plan(sigs, new Counters());
        return docs.stream().map(d -> plan.apply(d, new Counters())).toList();
    }

    @Test
    void exactDedupKeepsTheFirstOfNormalizedEquals() {
        var out = run(new ExactDedup(null), docs("Hello, World!", "hello   world", "Hello World again", "HELLO WORLD."));
        assertThat(out).extracting(o -> o instanceof Outcome.Keep).containsExactly(true, false, true, false);
    }

    @Test
    void minhashKeepsOnePerConnectedComponent() {
        String base = String.join(" ", new dev.loupe.data.bench.CorpusGenerator(5).rareWords(120));
        String near = base.replaceFirst("\\S+$", "different");
        String other = String.join(" ", new dev.loupe.data.bench.CorpusGenerator(6).rareWords(120));
        var out = run(MinHashDedup.withThreshold(0.8), docs(other, base, near, base));
        assertThat(out).extracting(o -> o instanceof Outcome.Keep).containsExactly(true, true, false, false);
    }

    @Test
    void lineDedupRemovesLinesSeenInEarlierDocuments() {
        var out = run(new LineDedup(null, null), docs(
                "Accept all cookies to continue.\nFirst article body here.",
                "Accept all cookies to continue.\nSecond article body here.\nFirst article body here.",
                "Accept all cookies to continue."));
        assertThat(((Outcome.Keep) out.get(0)).doc().text()).isEqualTo("Accept all cookies to continue.\nFirst article body here.");
        assertThat(((Outcome.Keep) out.get(1)).doc().text()).isEqualTo("Second article body here.");
        assertThat(out.get(2)).isEqualTo(Outcome.drop("all_lines_duplicate"));
    }
}
