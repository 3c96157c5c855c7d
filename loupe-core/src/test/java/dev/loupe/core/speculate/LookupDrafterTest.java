package dev.loupe.core.speculate;

import dev.loupe.core.LoupeException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Prompt lookup on hand-made contexts, the expected guesses worked out by reading them. */
class LookupDrafterTest {
    private static int[] propose(LookupDrafter d, int[] context, int max) {
        Draft draft = new Draft(8, 100);
        int n = d.propose(context, context.length, max, draft);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = draft.token(i);
        assertThat(draft.sampled()).isFalse();
        return out;
    }

    @Test
    void guessesWhatFollowedTheMostRecentEarlierMatchOfTheLongestNgram() {
        LookupDrafter d = new LookupDrafter(3, 1);
        // Tail (7 8 9) occurred at 1 and at 6; the latest (6) was followed by 5 5.
        int[] ctx = {0, 7, 8, 9, 1, 2, 7, 8, 9, 5, 5, 7, 8, 9};
        assertThat(propose(d, ctx, 4)).containsExactly(5, 5, 7, 8);
        assertThat(propose(d, ctx, 2)).containsExactly(5, 5);
        // Only the 1-gram (9) matches earlier: 9 at 3 was followed by 1 2 ...
        assertThat(propose(d, new int[]{9, 1, 2, 3, 4, 9}, 3)).containsExactly(1, 2, 3);
        // The 3-gram beats a more recent 1-gram match: tail 1 2 3 at 0 -> 4; the 1-gram 3 at 5 -> 6.
        assertThat(propose(d, new int[]{1, 2, 3, 4, 0, 3, 6, 1, 2, 3}, 1)).containsExactly(4);
        // A guess never runs past the end of the context.
        assertThat(propose(d, new int[]{4, 4}, 5)).containsExactly(4);
        assertThat(propose(d, new int[]{1, 2, 3}, 5)).isEmpty();
        assertThat(propose(d, new int[]{1}, 5)).isEmpty();
    }

    @Test
    void minimumNgramAndValidation() {
        // With min 2, a lone repeated token is no reason to guess.
        assertThat(propose(new LookupDrafter(3, 2), new int[]{9, 1, 2, 3, 4, 9}, 3)).isEmpty();
        assertThat(LookupDrafter.lastEarlierMatch(new int[]{5, 6, 5, 6, 5, 6}, 6, 2)).isEqualTo(2);
        assertThat(LookupDrafter.lastEarlierMatch(new int[]{5, 6, 7}, 3, 2)).isEqualTo(-1);
        assertThatThrownBy(() -> new LookupDrafter(1, 2)).isInstanceOf(LoupeException.class);
        assertThatThrownBy(() -> new LookupDrafter(3, 0)).isInstanceOf(LoupeException.class);
        assertThat(Arrays.asList(new LookupDrafter(3, 1).describe(), new LookupDrafter(2, 2).describe()))
                .containsExactly("lookup n=1..3", "lookup n=2");
    }
}
