package dev.loupe.data.score;

import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.Outcome;
import dev.loupe.train.SplitMix64;
import dev.loupe.train.nn.LlamaModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Learnability between two checkpoints of a real tiny training run (see {@link TinyCheckpoints}). */
class LearnabilityTest {
    final LearnabilityAnnotator step = new LearnabilityAnnotator(null, TinyCheckpoints.early.toString(),
            TinyCheckpoints.late.toString(), 64, null, null);

    @Test
    void whatTheRunLearnedScoresHighNoiseScoresLow() {
        String seen = TinyCheckpoints.grammar(new SplitMix64(77), 4).replace('\n', ' ').strip();
        String noise = TinyCheckpoints.noise(new SplitMix64(78), 12);
        double learned = step.score(seen), random = step.score(noise);
        System.out.printf("learnability: grammar %.3f, noise %.3f nats/token%n", learned, random);
        // The early checkpoint is the random init: ~ln(vocab) = 5.7 nats on anything. The run then learned the
        // grammar (its loss falls by nats) but nothing about random letters (at most a little about letter bigrams).
        assertThat(learned).as("grammar sentence").isGreaterThan(2.0);
        assertThat(random).as("noise").isLessThan(learned / 2);
    }

    @Test
    void scoreIsTheDropOfTheEngineLossWhichMatchesTheTrainingForwardPass() {
        String text = "the cat sat on the mat. a child ran to the river.";
        ModelLoss late = new ModelLoss(TinyCheckpoints.late.toString(), 64);
        ModelLoss early = new ModelLoss(TinyCheckpoints.early.toString(), 64);
        assertThat(step.score(text)).isEqualTo(early.loss(text) - late.loss(text));
        // Independent reference: the same tokens through loupe-train's forward pass with the late parameters.
        int[] ids;
        try (Model m = Model.load(TinyCheckpoints.late)) {
            ids = Tokenizer.fromMetadata(m.file().metadata()).encode(text, true, false);
        }
        int T = ids.length - 1;
        try (ThreadPool pool = new ThreadPool(1)) {
            LlamaModel ref = new LlamaModel(TinyCheckpoints.CONFIG, 1, T, pool);
            System.arraycopy(TinyCheckpoints.LATE_PARAMS, 0, ref.params, 0, ref.params.length);
            double trainLoss = ref.forward(Arrays.copyOf(ids, T), Arrays.copyOfRange(ids, 1, T + 1), true);
            assertThat(late.loss(text)).isCloseTo(trainLoss, within(1e-4));
        }
    }

    @Test
    void annotatesAndDropsBelowMin() {
        Document d = new Document("x", "the dog looked at a tree.", Map.of(), new DocKey(0, 1));
        Outcome o = step.apply(d, new Counters());
        Map<String, Object> meta = ((Outcome.Keep) o).doc().metadata();
        double le = (double) meta.get("loss_early"), ll = (double) meta.get("loss_late");
        assertThat((double) meta.get("learnability")).isCloseTo(le - ll, within(2e-4));
        LearnabilityAnnotator strict = new LearnabilityAnnotator(null, TinyCheckpoints.early.toString(),
                TinyCheckpoints.late.toString(), 64, le - ll + 0.01, null);
        assertThat(strict.apply(d, new Counters())).isEqualTo(Outcome.drop("learnability_low"));
    }
}
