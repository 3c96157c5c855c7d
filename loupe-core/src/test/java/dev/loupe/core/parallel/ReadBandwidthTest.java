package dev.loupe.core.parallel;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The probe reads what it claims to: its vector sum equals a scalar sum, and it reports a finite positive speed. */
class ReadBandwidthTest {
    @Test
    void vectorSumEqualsScalarSum() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(1 << 16, 64);
            Random r = new Random(7);
            long expected = 0;
            for (long i = 0; i < m.byteSize() / 8; i++) {
                long v = r.nextLong();
                m.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), i, v);
                if (i >= 128 && i < 128 + 1024) expected += v; // bytes [1024, 9216)
            }
            assertThat(ReadBandwidth.sum(m, 1024, 8192)).isEqualTo(expected);
        }
    }

    @Test
    void measuresARegionWithEveryThread() {
        try (Arena arena = Arena.ofShared(); ThreadPool pool = new ThreadPool(2)) {
            MemorySegment m = arena.allocate(4 << 20, 64);
            double bytesPerSecond = ReadBandwidth.measure(m, pool, 2);
            assertThat(bytesPerSecond).isPositive().isFinite();
        }
    }

    @Test
    void tooSmallARegionIsRefused() {
        try (Arena arena = Arena.ofConfined(); ThreadPool pool = new ThreadPool(1)) {
            assertThatThrownBy(() -> ReadBandwidth.measure(arena.allocate(1000), pool, 1)).hasMessageContaining("at least 1 MiB");
        }
    }
}
