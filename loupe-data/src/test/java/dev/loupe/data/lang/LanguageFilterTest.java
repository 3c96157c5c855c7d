package dev.loupe.data.lang;

import dev.loupe.core.LoupeException;
import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.pipeline.PipelineLoader;
import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LanguageFilterTest {
    @TempDir
    Path tmp;

    static final String EN = "The committee met on Tuesday to discuss the new budget for the public library. "
            + "Several members argued that the reading rooms should stay open later in the evening, because many "
            + "students have nowhere quiet to work after school.";
    static final String FR = "Le comité s'est réuni mardi pour discuter du nouveau budget de la bibliothèque municipale. "
            + "Plusieurs membres ont soutenu que les salles de lecture devraient rester ouvertes plus tard le soir, car "
            + "beaucoup d'élèves n'ont aucun endroit calme pour travailler après l'école.";
    static final String DE = "Der Ausschuss traf sich am Dienstag, um über den neuen Haushalt der Stadtbibliothek zu "
            + "sprechen. Mehrere Mitglieder meinten, dass die Lesesäle abends länger geöffnet bleiben sollten, weil viele "
            + "Schüler nach der Schule keinen ruhigen Ort zum Arbeiten haben.";
    static final String ES = "El comité se reunió el martes para discutir el nuevo presupuesto de la biblioteca municipal. "
            + "Varios miembros sostuvieron que las salas de lectura deberían permanecer abiertas hasta más tarde por la "
            + "noche, porque muchos estudiantes no tienen un lugar tranquilo para trabajar después de la escuela.";

    static Document doc(String text) {
        return new Document("t", text, Map.of(), new DocKey(0, 0));
    }

    @Test
    void identifiesClearParagraphsInFourLanguages() {
        LanguageFilter f = new LanguageFilter(null, null, null);
        Counters c = new Counters();
        Map<String, String> expected = Map.of(EN, "eng", FR, "fra", DE, "deu", ES, "spa");
        expected.forEach((text, lang) -> {
            Outcome o = f.apply(doc(text), c);
            assertThat(o).as(lang).isInstanceOf(Outcome.Keep.class);
            Document d = ((Outcome.Keep) o).doc();
            assertThat(d.metadata().get("language")).isEqualTo(lang);
            assertThat((double) d.metadata().get("language_score")).as(lang).isBetween(LanguageFilter.DEFAULT_MIN_CONFIDENCE, 1.0);
        });
        assertThat(c.asMap()).containsExactlyInAnyOrderEntriesOf(
                Map.of("kept_eng", 1L, "kept_fra", 1L, "kept_deu", 1L, "kept_spa", 1L));
    }

    @Test
    void tooShortToTellIsDroppedAtTheDefaultThreshold() {
        // OpenNLP gives a five-word sentence ~0.02: far from enough evidence to name a language.
        Counters c = new Counters();
        assertThat(new LanguageFilter(null, null, null).apply(doc("This is a short one."), c))
                .isEqualTo(Outcome.drop("low_confidence"));
    }

    @Test
    void keepListDropsOtherLanguagesAndCountsThem() {
        LanguageFilter f = new LanguageFilter(null, List.of("eng", "deu"), 0.0);
        Counters c = new Counters();
        assertThat(f.apply(doc(EN), c)).isInstanceOf(Outcome.Keep.class);
        assertThat(f.apply(doc(DE), c)).isInstanceOf(Outcome.Keep.class);
        assertThat(f.apply(doc(FR), c)).isEqualTo(Outcome.drop("other_language"));
        assertThat(f.apply(doc(ES), c)).isEqualTo(Outcome.drop("other_language"));
        assertThat(c.asMap()).containsExactlyInAnyOrderEntriesOf(
                Map.of("kept_eng", 1L, "kept_deu", 1L, "removed_fra", 1L, "removed_spa", 1L));
    }

    /** A scorer whose confidence is the number written in the text, to pin the threshold exactly. */
    record Stub() implements LanguageScorer {
        @Override
        public Guess best(CharSequence text) {
            return new Guess("eng", Double.parseDouble(text.toString()));
        }

        @Override
        public Set<String> supported() {
            return Set.of("eng", "fra");
        }
    }

    @Test
    void confidenceThresholdKeepsAtOrAboveAndDropsBelow() {
        LanguageFilter f = new LanguageFilter(null, List.of("eng"), 0.65, new Stub());
        Counters c = new Counters();
        Outcome above = f.apply(doc("0.6501"), c);
        assertThat(above).isInstanceOf(Outcome.Keep.class);
        assertThat(((Outcome.Keep) above).doc().metadata()).containsEntry("language_score", 0.6501);
        assertThat(f.apply(doc("0.65"), c)).isInstanceOf(Outcome.Keep.class);
        assertThat(f.apply(doc("0.6499"), c)).isEqualTo(Outcome.drop("low_confidence"));
        assertThat(c.get("kept_eng")).isEqualTo(2);
        assertThat(c.get("removed_eng")).isEqualTo(1);
        // The default threshold (0.5, see LanguageFilter.DEFAULT_MIN_CONFIDENCE) applies when none is given.
        LanguageFilter byDefault = new LanguageFilter(null, null, null, new Stub());
        assertThat(byDefault.apply(doc("0.5"), c)).isInstanceOf(Outcome.Keep.class);
        assertThat(byDefault.apply(doc("0.4999"), c)).isEqualTo(Outcome.drop("low_confidence"));
    }

    @Test
    void unknownCodeInKeepIsAConfigErrorNamingFileAndKey() throws IOException {
        Path p = tmp.resolve("lang.yaml");
        Files.writeString(p, "input: {paths: [x]}\noutput: {dir: o}\nsteps:\n  - type: language\n    keep: [eng, english]\n");
        assertThatThrownBy(() -> PipelineLoader.load(p)).isInstanceOf(LoupeException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("language.keep").hasMessageContaining("english")
                .hasMessageNotContaining("[eng,");
        Files.writeString(p, "input: {paths: [x]}\noutput: {dir: o}\nsteps:\n  - type: language\n    min_confidence: 1.5\n");
        assertThatThrownBy(() -> PipelineLoader.load(p)).isInstanceOf(LoupeException.class)
                .hasMessageContaining("min_confidence");
    }

    @Test
    void loadsFromYamlWithOptions() throws IOException {
        Path p = tmp.resolve("ok.yaml");
        Files.writeString(p, "input: {paths: [x]}\noutput: {dir: o}\nsteps:\n  - type: language\n    keep: [eng, fra]\n    min_confidence: 0.7\n");
        PipelineSpec spec = PipelineLoader.load(p);
        LanguageFilter f = (LanguageFilter) spec.steps().getFirst();
        assertThat(f.keep()).containsExactly("eng", "fra");
        assertThat(f.minConfidence()).isEqualTo(0.7);
        assertThat(f.scorer()).isSameAs(OpenNlpLanguageScorer.INSTANCE);
        assertThat(f.name()).isEqualTo("language");
    }
}
