package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/** block_q4_0: fp16 d, 16 bytes of nibbles; value j is (low nibble of qs[j] - 8) * d, value j+16 the high nibble. */
final class Q4_0Codec implements Codec {
    private static final int QK = 32;
    private static final int BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** quantize_row_q4_0_ref. */
    @Override
    public void quantize(float[] src, int srcOff, MemorySegment dst, long offset, int n) {
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int x = srcOff + i * QK;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Fp16.write(dst, o, d);
            for (int j = 0; j < QK / 2; j++) {
                float x0 = src[x + j] * id;
                float x1 = src[x + QK / 2 + j] * id;
                // (int8_t)(x + 8.5f) truncates toward zero; the argument is >= 0.5 here.
                int xi0 = Math.min(15, (int) (x0 + 8.5f));
                int xi1 = Math.min(15, (int) (x1 + 8.5f));
                Raw.putU8(dst, o + 2 + j, xi0 | (xi1 << 4));
            }
        }
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int y = dstOff + i * QK;
            float d = Fp16.read(src, o);
            for (int j = 0; j < QK / 2; j++) {
                int q = Raw.u8(src, o + 2 + j);
                int x0 = (q & 0x0F) - 8;
                int x1 = (q >> 4) - 8;
                dst[y + j] = x0 * d;
                dst[y + j + QK / 2] = x1 * d;
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        return LegacyDot.q4(src, offset, x, xOff, n, false);
    }
}
