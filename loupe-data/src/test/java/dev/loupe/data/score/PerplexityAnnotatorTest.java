package dev.loupe.data.score;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.Outcome;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** With the shipped stand-in model (random weights): perplexity is well defined, deterministic, and bucketed. */
class PerplexityAnnotatorTest {
    static final String MODEL = Path.of(System.getProperty("loupe.home", "..")).resolve("models/loupe-standin.gguf").toString();

    @Test
    void annotatesAndBuckets() {
        PerplexityAnnotator plain = new PerplexityAnnotator(null, MODEL, 64, null, null, null, null);
        String text = "The quick brown fox jumps over the lazy dog.";
        double p = plain.perplexity(text);
        assertThat(p).isGreaterThan(1).isFinite();
        assertThat(plain.perplexity(text)).isEqualTo(p); // the session is rewound: no state leaks between documents
        Document d = new Document("x", text, Map.of(), new DocKey(0, 0));
        Outcome o = new PerplexityAnnotator(null, MODEL, 64, p + 1, p + 2, null, null).apply(d, new Counters());
        assertThat(((Outcome.Keep) o).doc().metadata()).containsEntry("ppl_bucket", "head").containsKey("perplexity");
        Counters c = new Counters();
        assertThat(new PerplexityAnnotator(null, MODEL, 64, p / 3, p / 2, true, null).apply(d, c))
                .isEqualTo(Outcome.drop("perplexity_tail"));
        assertThat(c.get("bucket:tail")).isEqualTo(1);
    }
}
