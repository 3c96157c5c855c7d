package dev.loupe.core.quant;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class GgmlMathTest {
    @Test
    void nearestIntRoundsHalvesToEvenLikeTheFpu() {
        assertThat(GgmlMath.nearestInt(0.5f)).isEqualTo(0);
        assertThat(GgmlMath.nearestInt(1.5f)).isEqualTo(2);
        assertThat(GgmlMath.nearestInt(2.5f)).isEqualTo(2);
        assertThat(GgmlMath.nearestInt(-2.5f)).isEqualTo(-2);
        assertThat(GgmlMath.nearestInt(-0.49999997f)).isEqualTo(0);
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            float f = (r.nextFloat() - 0.5f) * 8_000_000f;
            assertThat(GgmlMath.nearestInt(f)).isEqualTo((int) Math.rint(f));
        }
    }

    @Test
    void roundfRoundsHalvesAwayFromZero() {
        assertThat(GgmlMath.roundf(0.5f)).isEqualTo(1f);
        assertThat(GgmlMath.roundf(-0.5f)).isEqualTo(-1f);
        assertThat(GgmlMath.roundf(2.5f)).isEqualTo(3f);
        assertThat(GgmlMath.roundf(-126.5f)).isEqualTo(-127f);
        // The largest float below 0.5 must not round up (floor(x + 0.5f) in float arithmetic would).
        assertThat(GgmlMath.roundf(0.49999997f)).isEqualTo(0f);
    }
}
