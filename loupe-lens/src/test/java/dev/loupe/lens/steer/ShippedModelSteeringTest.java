package dev.loupe.lens.steer;

import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.HookedModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real phenomenon on the model Loupe ships (4 layers trained on Shakespeare): a vector made from lines about love
 * minus lines about war, added at layer 2, raises the next-token probability of " love" (and its logit over " war")
 * steadily as the coefficient grows, and lowers it when negative. The lines are the first 150 of each kind in
 * tinyshakespeare, chosen by word lists, as the docs' worked example chooses them with grep.
 */
class ShippedModelSteeringTest {
    static final Path MODEL = Path.of(System.getProperty("loupe.home", ".."), "models", "loupe-shakespeare.gguf");
    static final Pattern WAR = Pattern.compile("(?i)\\b(war|wars|sword|swords|battle|fight|blood|arms|soldier|soldiers|kill|enemy|foes|die)\\b");
    static final Pattern LOVE = Pattern.compile("(?i)\\blove\\b");
    static final Pattern LOVE_WORDS = Pattern.compile("(?i)\\b(love|loves|loved|lover|heart|sweet)\\b");

    static List<String> lines(Pattern with, Pattern without) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(System.getProperty("loupe.shared"), "data/tinyshakespeare/input.txt"))) {
            if (with.matcher(line).find() && !without.matcher(line).find()) out.add(line);
            if (out.size() == 150) break;
        }
        return out;
    }

    @Test
    void aLoveMinusWarVectorRaisesLoveMonotonically() throws IOException {
        try (Model m = Model.load(MODEL); ThreadPool pool = new ThreadPool(2)) {
            HookedModel hm = new HookedModel(m, pool);
            Tokenizer tok = Tokenizer.fromMetadata(m.file().metadata());
            List<int[]> love = new ArrayList<>(), war = new ArrayList<>();
            for (String s : lines(LOVE, WAR)) love.add(tok.encode(s, true, false));
            for (String s : lines(WAR, LOVE_WORDS)) war.add(tok.encode(s, true, false));
            assertThat(love).hasSize(150);
            assertThat(war).hasSize(150);
            HookPoint point = HookPoint.parse("blocks.2.hook_resid_pre");
            SteeringVector v = new SteeringVector(point, ContrastiveMean.of(hm, love, war, point, ContrastiveMean.Reduce.MEAN, null),
                    "loupe-shakespeare", Map.of());
            int[] target = tok.encode(" love", false, false), foil = tok.encode(" war", false, false);
            assertThat(target).hasSize(1);
            assertThat(foil).hasSize(1);
            List<int[]> prompts = List.of(tok.encode("ROMEO:\nI", true, false), tok.encode("JULIET:\nMy", true, false),
                    tok.encode("KING RICHARD III:\nThy", true, false));
            float[] coefs = {-8, -4, 0, 4, 8};
            List<SteeringSweep.Row> rows = SteeringSweep.run(hm, tok, v, coefs,
                    new SteeringSweep.Setup(prompts, target, foil, new int[0], 0), null);
            StringBuilder table = new StringBuilder();
            for (SteeringSweep.Row r : rows) table.append(String.format("%n%5.1f  p=%.5f  diff=%.4f", r.coef(), r.targetProb(), r.logitDiff()));
            for (int i = 1; i < rows.size(); i++) {
                assertThat(rows.get(i).targetProb()).as("p( love) rises with the coefficient:" + table).isGreaterThan(rows.get(i - 1).targetProb());
                assertThat(rows.get(i).logitDiff()).as("logit( love) - logit( war) rises:" + table).isGreaterThan(rows.get(i - 1).logitDiff());
            }
            // a clear effect, not a rounding-level drift: +8 doubles p( love) relative to -8 at least
            assertThat(rows.getLast().targetProb()).as(table.toString()).isGreaterThan(2 * rows.getFirst().targetProb());
        }
    }
}
