package dev.loupe.core.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hand-built blocks for the types no fixture file contains. Expected values are written per element
 * straight from the layout in ggml-common.h (and the packing done by ggml's quantize_row_*_ref), not
 * by mirroring the decoder's loops; the scales are powers of two, so every expected value is exact.
 * A few values are also worked out by hand as literals.
 */
class KnownAnswerTest {
    static final short HALF_2 = 0x4000;
    static final short HALF_1 = 0x3C00;
    static final short HALF_0_5 = 0x3800;
    static final short HALF_0_25 = 0x3400;
    static final short HALF_0_125 = 0x3000;
    static final short HALF_MINUS_1 = (short) 0xBC00;
    /** Arbitrary fifth-bit word for the Q5 tests. */
    static final int QH = 0xF00F_3C5A;

    static ByteBuffer block(GgmlType type) {
        return ByteBuffer.allocate(type.typeSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    static float[] decode(GgmlType type, ByteBuffer block) {
        float[] y = new float[type.blockSize];
        Codecs.of(type, "known").dequantize(MemorySegment.ofArray(block.array()), 0, y, 0, y.length);
        return y;
    }

    static int bit(int word, int i) {
        return (word >>> i) & 1;
    }

    @Test
    void q4_1() {
        ByteBuffer b = block(GgmlType.Q4_1).putShort(0, HALF_0_5).putShort(2, HALF_MINUS_1);
        for (int j = 0; j < 16; j++) b.put(4 + j, (byte) (j | (15 - j) << 4));
        float[] y = decode(GgmlType.Q4_1, b);
        for (int j = 0; j < 16; j++) {
            assertThat(y[j]).isEqualTo(j * 0.5f - 1);
            assertThat(y[16 + j]).isEqualTo((15 - j) * 0.5f - 1);
        }
        assertThat(y[3]).isEqualTo(0.5f);
        assertThat(y[16]).isEqualTo(6.5f);
    }

    static byte q5Nibbles(int j) {
        return (byte) ((j * 7 & 0xF) | (j * 3 & 0xF) << 4);
    }

    @Test
    void q5_0() {
        ByteBuffer b = block(GgmlType.Q5_0).putShort(0, HALF_0_25).putInt(2, QH);
        for (int j = 0; j < 16; j++) b.put(6 + j, q5Nibbles(j));
        float[] y = decode(GgmlType.Q5_0, b);
        for (int j = 0; j < 16; j++) {
            int lo = q5Nibbles(j) & 0xF;
            int hi = (q5Nibbles(j) >> 4) & 0xF;
            assertThat(y[j]).as("value %d", j).isEqualTo(((lo | bit(QH, j) << 4) - 16) * 0.25f);
            assertThat(y[16 + j]).as("value %d", 16 + j).isEqualTo(((hi | bit(QH, 16 + j) << 4) - 16) * 0.25f);
        }
        // qs[0] = 0x00 and bit 0 of 0x...5A clear: (0 - 16) / 4.
        assertThat(y[0]).isEqualTo(-4f);
        // qs[1] = 0x37: low 7, bit 1 set, so 23 - 16 = 7 -> 1.75; high 3, bit 17 of 0xF00F.... set (0x...F), 19 - 16 -> 0.75.
        assertThat(y[1]).isEqualTo(1.75f);
        assertThat(y[17]).isEqualTo(0.75f);
    }

    @Test
    void q5_1() {
        ByteBuffer b = block(GgmlType.Q5_1).putShort(0, HALF_2).putShort(2, HALF_0_5).putInt(4, QH);
        for (int j = 0; j < 16; j++) b.put(8 + j, q5Nibbles(j));
        float[] y = decode(GgmlType.Q5_1, b);
        for (int j = 0; j < 16; j++) {
            int lo = q5Nibbles(j) & 0xF;
            int hi = (q5Nibbles(j) >> 4) & 0xF;
            assertThat(y[j]).isEqualTo((lo | bit(QH, j) << 4) * 2f + 0.5f);
            assertThat(y[16 + j]).isEqualTo((hi | bit(QH, 16 + j) << 4) * 2f + 0.5f);
        }
        assertThat(y[1]).isEqualTo(46.5f);
    }

    /** Position of value i of a Q2_K/Q3_K super-block: 128-value half, shift group, 16-value sub-group, lane. */
    record KPos(int half, int j, int sub, int l) {
        static KPos of(int i) {
            int r = i % 128;
            return new KPos(i / 128, r / 32, (r % 32) / 16, r % 16);
        }

        int quantByte() {
            return 32 * half + 16 * sub + l;
        }

        int scaleIndex() {
            return 8 * half + 2 * j + sub;
        }
    }

    @Test
    void q2_K() {
        ByteBuffer b = block(GgmlType.Q2_K);
        for (int k = 0; k < 16; k++) b.put(k, (byte) (k | (k * 5 & 0xF) << 4));
        for (int k = 0; k < 64; k++) b.put(16 + k, (byte) (k * 37));
        b.putShort(80, HALF_0_5).putShort(82, HALF_0_25);
        float[] y = decode(GgmlType.Q2_K, b);
        for (int i = 0; i < 256; i++) {
            KPos p = KPos.of(i);
            int q = ((b.get(16 + p.quantByte()) & 0xFF) >> 2 * p.j()) & 3;
            int sc = b.get(p.scaleIndex()) & 0xFF;
            assertThat(y[i]).as("value %d", i).isEqualTo(0.5f * (sc & 0xF) * q - 0.25f * (sc >> 4));
        }
        // Value 17: qs[17] = 17*37 mod 256 = 117 = 0b01110101, low two bits 1; scale byte 1 = 0x51.
        assertThat(y[17]).isEqualTo(0.5f * 1 * 1 - 0.25f * 5);
    }

    /** The 16 six-bit scales packed into 12 bytes exactly as quantize_row_q3_K_ref does. */
    static byte[] packQ3Scales(int[] s) {
        byte[] out = new byte[12];
        for (int j = 0; j < 16; j++) {
            int l = s[j];
            if (j < 8) out[j] = (byte) (l & 0xF);
            else out[j - 8] |= (byte) ((l & 0xF) << 4);
            l >>= 4;
            out[j % 4 + 8] |= (byte) (l << (2 * (j / 4)));
        }
        return out;
    }

    @Test
    void q3_K() {
        int[] scales = new int[16];
        for (int j = 0; j < 16; j++) scales[j] = 32 + (j - 8) * 3;
        scales[0] = 0;
        scales[15] = 63;
        ByteBuffer b = block(GgmlType.Q3_K);
        for (int k = 0; k < 32; k++) b.put(k, (byte) (k * 29));
        for (int k = 0; k < 64; k++) b.put(32 + k, (byte) (k * 53));
        b.put(96, packQ3Scales(scales)).putShort(108, HALF_0_125);
        float[] y = decode(GgmlType.Q3_K, b);
        for (int i = 0; i < 256; i++) {
            KPos p = KPos.of(i);
            int q = ((b.get(32 + p.quantByte()) & 0xFF) >> 2 * p.j()) & 3;
            int high = bit(b.get(16 * p.sub() + p.l()) & 0xFF, 4 * p.half() + p.j());
            int value = q - (high == 1 ? 0 : 4);
            assertThat(y[i]).as("value %d", i).isEqualTo(0.125f * (scales[p.scaleIndex()] - 32) * value);
        }
        // Value 0: qs[0] = 0, hmask[0] = 0 -> -4; scale 0 - 32: 0.125 * -32 * -4 = 16.
        assertThat(y[0]).isEqualTo(16f);
    }

    @Test
    void kScalesUnpackWhatQuantizeRowQ4KPacks() {
        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int[] ls = new int[8];
            int[] lm = new int[8];
            byte[] packed = new byte[12];
            for (int j = 0; j < 8; j++) {
                ls[j] = r.nextInt(64);
                lm[j] = r.nextInt(64);
                // The packing of quantize_row_q4_K_ref.
                if (j < 4) {
                    packed[j] = (byte) ls[j];
                    packed[j + 4] = (byte) lm[j];
                } else {
                    packed[j + 4] = (byte) ((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                    packed[j - 4] |= (byte) ((ls[j] >> 4) << 6);
                    packed[j] |= (byte) ((lm[j] >> 4) << 6);
                }
            }
            MemorySegment s = MemorySegment.ofArray(packed);
            for (int j = 0; j < 8; j++) {
                assertThat(KScales.scale(s, 0, j)).isEqualTo(ls[j]);
                assertThat(KScales.min(s, 0, j)).isEqualTo(lm[j]);
            }
        }
    }

    @Test
    void q3KScalesUnpackWhatQuantizeRowQ3KPacks() {
        Random r = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int[] s = new int[16];
            for (int j = 0; j < 16; j++) s[j] = r.nextInt(64);
            MemorySegment seg = MemorySegment.ofArray(packQ3Scales(s));
            long low = Q3_KCodec.scalesLow(seg, 0);
            long high = Q3_KCodec.scalesHigh(seg, 0);
            for (int j = 0; j < 16; j++) assertThat(Q3_KCodec.scale(low, high, j)).isEqualTo(s[j]);
        }
    }

    @Test
    void bf16() {
        short[] bits = {0x3F80, (short) 0xC040, 0x0000, (short) 0x8000, 0x7F80, 0x0001, 0x4049};
        float[] expected = {1f, -3f, 0f, -0f, Float.POSITIVE_INFINITY, 0x1p-133f, 3.140625f};
        ByteBuffer b = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : bits) b.putShort(s);
        float[] y = new float[bits.length];
        Codecs.of(GgmlType.BF16, "known").dequantize(MemorySegment.ofArray(b.array()), 0, y, 0, y.length);
        for (int i = 0; i < bits.length; i++) {
            assertThat(Float.floatToRawIntBits(y[i])).as("bf16 %04x", bits[i]).isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    /**
     * Every one of the 65536 halves through F16's vector dot, against the JDK's exact conversion:
     * each half alone in a lane (the others zero) dotted with that lane's unit vector, so the dot is
     * the converted value itself, Inf included. NaNs only need to stay NaN: the JDK's own answer for
     * a signalling NaN differs between its interpreter (payload kept) and its F16C intrinsic
     * (quietened), as does ggml's per platform.
     */
    @Test
    void f16DotConvertsEveryHalfExactly() {
        Codec f16 = Codecs.of(GgmlType.F16, "known");
        int n = Lanes.L;
        ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment s = MemorySegment.ofArray(b.array());
        float[] x = new float[n];
        for (int h = 0; h < 65536; h++) {
            int lane = h % n;
            for (int i = 0; i < n; i++) b.putShort(2 * i, i == lane ? (short) h : 0);
            x[lane] = 1;
            float got = f16.dot(s, 0, x, 0, n);
            x[lane] = 0;
            float ref = Float.float16ToFloat((short) h);
            if (Float.isNaN(ref)) {
                assertThat(got).as("half %04x", h).isNaN();
            } else if (ref != 0) {
                assertThat(Float.floatToRawIntBits(got)).as("half %04x", h).isEqualTo(Float.floatToRawIntBits(ref));
            } else {
                // +-0 times 1 plus +0 products sums to +0; zero is zero.
                assertThat(got).as("half %04x", h).isZero();
            }
        }
    }

    /** GGML_FP32_TO_BF16 rounds to nearest, ties to even, and quietens NaNs. */
    @Test
    void bf16Encoding() {
        assertThat(BF16Codec.fromFloat(1f)).isEqualTo((short) 0x3F80);
        // 1 + 2^-8 is half-way between bf16 1 (0x3F80, even) and 1 + 2^-7 (0x3F81): ties to even.
        assertThat(BF16Codec.fromFloat(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
        // 1 + 3*2^-8 is half-way between 0x3F81 and 0x3F82 (even).
        assertThat(BF16Codec.fromFloat(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3F82);
        assertThat(BF16Codec.fromFloat(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3F81);
        assertThat(BF16Codec.fromFloat(Float.intBitsToFloat(0x7F800001))).isEqualTo((short) 0x7FC0);
        assertThat(BF16Codec.fromFloat(-0f)).isEqualTo((short) 0x8000);
    }

    /** C's roundf rounds half-way cases away from zero. */
    @Test
    void roundfIsCsRoundf() {
        assertThat(Raw.roundf(2.5f)).isEqualTo(3);
        assertThat(Raw.roundf(-2.5f)).isEqualTo(-3);
        assertThat(Raw.roundf(0.49999997f)).isEqualTo(0);
        assertThat(Raw.roundf(-0.5f)).isEqualTo(-1);
        assertThat(Raw.roundf(126.5f)).isEqualTo(127);
    }

    @Test
    void halfConstantsAreWhatTheTestsAssume() {
        assertThat(Float.float16ToFloat(HALF_2)).isEqualTo(2f);
        assertThat(Float.float16ToFloat(HALF_1)).isEqualTo(1f);
        assertThat(Float.float16ToFloat(HALF_0_5)).isEqualTo(0.5f);
        assertThat(Float.float16ToFloat(HALF_0_25)).isEqualTo(0.25f);
        assertThat(Float.float16ToFloat(HALF_0_125)).isEqualTo(0.125f);
        assertThat(Float.float16ToFloat(HALF_MINUS_1)).isEqualTo(-1f);
    }
}
