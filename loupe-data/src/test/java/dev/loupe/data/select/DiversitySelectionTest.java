package dev.loupe.data.select;

import dev.loupe.data.DocKey;
import dev.loupe.data.dedup.DropKeys;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.GlobalStep;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DiversitySelectionTest {
    /** {@code clusters} tight clusters around random unit directions in {@code dim} dimensions, points interleaved. */
    static float[][] planted(int clusters, int perCluster, int dim, double spread, long seed, int[] clusterOf) {
        Random r = new Random(seed);
        float[][] centers = new float[clusters][dim];
        for (float[] c : centers) {
            for (int j = 0; j < dim; j++) c[j] = (float) r.nextGaussian();
            KCenter.normalize(c);
        }
        float[][] pts = new float[clusters * perCluster][];
        for (int i = 0; i < pts.length; i++) {
            int c = i % clusters; // interleaved, so input order says nothing about clusters
            clusterOf[i] = c;
            float[] p = new float[dim];
            for (int j = 0; j < dim; j++) p[j] = centers[c][j] + (float) (spread * r.nextGaussian() / Math.sqrt(dim));
            pts[i] = KCenter.normalize(p);
        }
        return pts;
    }

    @Test
    void kCenterOnPlantedClustersPicksOnePerCluster() {
        int clusters = 8;
        int[] clusterOf = new int[clusters * 25];
        float[][] pts = planted(clusters, 25, 32, 0.1, 5, clusterOf);
        int[] chosen = KCenter.select(pts, clusters);
        Set<Integer> hit = new HashSet<>();
        for (int i : chosen) hit.add(clusterOf[i]);
        assertThat(hit).as("clusters of the %d chosen points", clusters).hasSize(clusters);
        assertThat(chosen[0]).isZero();
        // With one more than the number of clusters, the extra point is a second one from some cluster.
        assertThat(KCenter.select(pts, clusters + 1)).hasSize(clusters + 1).doesNotHaveDuplicates();
    }

    @Test
    void kCenterOnALineIsFarthestFirst() {
        // Unit vectors at angles 0, 10, ..., 90 degrees in a plane: from 0, the farthest is 90, then 40 or 50
        // (ties go to the lower index: 40), then the middles of the widest gaps.
        float[][] pts = new float[10][];
        for (int i = 0; i < 10; i++) {
            double a = Math.toRadians(10 * i);
            pts[i] = new float[]{(float) Math.cos(a), (float) Math.sin(a)};
        }
        assertThat(KCenter.select(pts, 3)).containsExactly(0, 9, 4);
        assertThat(KCenter.select(pts, 20)).hasSize(10).doesNotHaveDuplicates();
    }

    @Test
    void planDropsWhatIsNotSelected() {
        int[] clusterOf = new int[30];
        float[][] pts = planted(3, 10, 16, 0.05, 9, clusterOf);
        List<GlobalStep.Signed<float[]>> sigs = new ArrayList<>();
        for (int i = 0; i < pts.length; i++) sigs.add(new GlobalStep.Signed<>(new DocKey(i / 10, i % 10), pts[i]));
        Counters c = new Counters();
        DropKeys plan = (DropKeys) new DiversitySelection(null, null, 0.1, null).plan(sigs, c);
        assertThat(c.get("selected")).isEqualTo(3);
        assertThat(plan.drop()).hasSize(27);
        Set<Integer> kept = new HashSet<>();
        for (int i = 0; i < pts.length; i++) if (!plan.drop().contains(sigs.get(i).key())) kept.add(clusterOf[i]);
        assertThat(kept).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void realEmbeddingsPutParaphrasesCloserThanUnrelatedTexts() {
        float[] a = SentenceEmbedder.embed("The cat is sleeping on the sofa.");
        float[] b = SentenceEmbedder.embed("A cat naps on the couch.");
        float[] c = SentenceEmbedder.embed("Quarterly revenue grew by twelve percent.");
        float[] d = SentenceEmbedder.embed("The company's sales rose 12% this quarter.");
        assertThat(a).hasSize(SentenceEmbedder.DIMENSIONS);
        assertThat(KCenter.dot(a, a)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
        double para1 = KCenter.dot(a, b), para2 = KCenter.dot(c, d);
        double unrelated = Math.max(Math.max(KCenter.dot(a, c), KCenter.dot(a, d)), Math.max(KCenter.dot(b, c), KCenter.dot(b, d)));
        System.out.printf("MiniLM cosine: paraphrases %.3f %.3f, unrelated at most %.3f%n", para1, para2, unrelated);
        assertThat(Math.min(para1, para2)).isGreaterThan(unrelated + 0.3);
        // And k-center on the four picks one of each topic.
        int[] two = KCenter.select(new float[][]{a, b, c, d}, 2);
        assertThat(two[0]).isZero();
        assertThat(two[1]).isIn(2, 3);
        assertThat(Arrays.equals(SentenceEmbedder.embed("The cat is sleeping on the sofa."), a)).isTrue(); // deterministic
    }
}
