package dev.loupe.core.tensor.act;

import dev.loupe.core.tensor.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * A quantized weight block as ggml's generic vec_dot_*_q8_* sees it: integer quants {@link #q} (the
 * {@code aux8}/{@code v0,v1} values, offsets such as -8 or -32 already applied), an integer scale and min per
 * group of {@link #group} quants, and fp16 factors {@link #d} and {@link #m}. The dot of one block is then
 * an integer sum Σ_g scale(g)·Σ_{i∈g} q(i)·a(i), multiplied by floats as {@link Combine} says.
 * One scalar loop ({@link ScalarDot}) serves every type; the Vector API kernels are checked against it.
 */
enum BlockFormat {
    Q8_0(GgmlType.Q8_0, 32, Combine.SCALED) {
        @Override int q(MemorySegment s, long b, int i) {
            return Bytes.s8(s, b + 2 + i);
        }
    },
    Q4_0(GgmlType.Q4_0, 32, Combine.SCALED) {
        @Override int q(MemorySegment s, long b, int i) {
            return nibble(s, b + 2, i) - 8;
        }
    },
    Q4_1(GgmlType.Q4_1, 32, Combine.SCALED_PLUS_MIN) {
        @Override int q(MemorySegment s, long b, int i) {
            return nibble(s, b + 4, i);
        }
    },
    /** Bit i of qh is the fifth bit of quant i (ggml's xh_0 for j, xh_1 for j + 16). */
    Q5_0(GgmlType.Q5_0, 32, Combine.SCALED) {
        @Override int q(MemorySegment s, long b, int i) {
            return (nibble(s, b + 6, i) | ((Bytes.u32(s, b + 2) >>> i) & 1) << 4) - 16;
        }
    },
    Q5_1(GgmlType.Q5_1, 32, Combine.SCALED_PLUS_MIN) {
        @Override int q(MemorySegment s, long b, int i) {
            return nibble(s, b + 8, i) | ((Bytes.u32(s, b + 4) >>> i) & 1) << 4;
        }
    },
    /** scales[16] | qs[64] | d | dmin. Each 128 quants: 32 bytes read four times at shifts 0, 2, 4, 6. */
    Q2_K(GgmlType.Q2_K, 16, Combine.K) {
        @Override int q(MemorySegment s, long b, int i) {
            return (Bytes.u8(s, b + 16 + 32 * (i / 128) + i % 32) >> (2 * (i % 128 / 32))) & 3;
        }
        @Override int scale(MemorySegment s, long b, int g) {
            return Bytes.u8(s, b + g) & 0xF;
        }
        @Override int min(MemorySegment s, long b, int g) {
            return Bytes.u8(s, b + g) >> 4;
        }
        @Override long dOffset() {
            return 80;
        }
    },
    /**
     * hmask[32] | qs[64] | scales[12] | d. Low two bits as Q2_K; minus 4 where the hmask bit (4·(i/128) + i%128/32)
     * of byte i%32 is clear. Scales: 16 six-bit values minus 32, low nibbles in bytes 0..7, top bits in 8..11
     * (the kmask1/kmask2 shuffle of the reference).
     */
    Q3_K(GgmlType.Q3_K, 16, Combine.K) {
        @Override int q(MemorySegment s, long b, int i) {
            int low = (Bytes.u8(s, b + 32 + 32 * (i / 128) + i % 32) >> (2 * (i % 128 / 32))) & 3;
            int bit = 4 * (i / 128) + i % 128 / 32;
            return low - ((Bytes.u8(s, b + i % 32) >> bit & 1) != 0 ? 0 : 4);
        }
        @Override int scale(MemorySegment s, long b, int g) {
            int low = g < 8 ? Bytes.u8(s, b + 96 + g) & 0xF : Bytes.u8(s, b + 96 + g - 8) >> 4;
            int high = (Bytes.u8(s, b + 104 + g % 4) >> (2 * (g / 4))) & 3;
            return (low | high << 4) - 32;
        }
        @Override long dOffset() {
            return 108;
        }
    },
    /** d | dmin | scales[12] | qs[128]: each 64 quants are 32 bytes, low nibbles first. */
    Q4_K(GgmlType.Q4_K, 32, Combine.K) {
        @Override int q(MemorySegment s, long b, int i) {
            return kNibble(s, b + 16, i);
        }
        @Override int scale(MemorySegment s, long b, int g) {
            return Bytes.k4Scale(s, b + 4, g);
        }
        @Override int min(MemorySegment s, long b, int g) {
            return Bytes.k4Min(s, b + 4, g);
        }
    },
    /** d | dmin | scales[12] | qh[32] | qs[128]: Q4_K plus bit i/32 of qh[i%32] as the fifth bit. */
    Q5_K(GgmlType.Q5_K, 32, Combine.K) {
        @Override int q(MemorySegment s, long b, int i) {
            return kNibble(s, b + 48, i) | ((Bytes.u8(s, b + 16 + i % 32) >> (i / 32)) & 1) << 4;
        }
        @Override int scale(MemorySegment s, long b, int g) {
            return Bytes.k4Scale(s, b + 4, g);
        }
        @Override int min(MemorySegment s, long b, int g) {
            return Bytes.k4Min(s, b + 4, g);
        }
    },
    /**
     * ql[128] | qh[64] | scales[16] (int8) | d. In each 128-quant half, quarter k (0..3) of 32: nibble
     * k/2 of ql[32·(k%2) + l], high bits 2k of qh[l], minus 32.
     */
    Q6_K(GgmlType.Q6_K, 16, Combine.K) {
        @Override int q(MemorySegment s, long b, int i) {
            int h = i / 128, k = i % 128 / 32, l = i % 32;
            int ql = Bytes.u8(s, b + 64 * h + 32 * (k % 2) + l);
            int nib = k < 2 ? ql & 0xF : ql >> 4;
            int hi = (Bytes.u8(s, b + 128 + 32 * h + l) >> (2 * k)) & 3;
            return (nib | hi << 4) - 32;
        }
        @Override int scale(MemorySegment s, long b, int g) {
            return Bytes.s8(s, b + 192 + g);
        }
        @Override long dOffset() {
            return 208;
        }
    };

    /** How a block's integer sum becomes float, as the ggml dot does it. */
    enum Combine {
        /** (d_w·d_a)·Σ: q4_0/q5_0/q8_0 × q8_0. */
        SCALED,
        /** (d_w·d_a)·Σ + m_w·s_a: q4_1/q5_1 × q8_1. */
        SCALED_PLUS_MIN,
        /** (d_w·d_a)·Σ − (dmin_w·d_a)·Σ_g min(g)·Σ_{i∈g} a(i): the K-quants × q8_K (the last from bsums). */
        K
    }

    final GgmlType type;
    /** Quants per integer scale. */
    final int group;
    final Combine combine;

    BlockFormat(GgmlType type, int group, Combine combine) {
        this.type = type;
        this.group = group;
        this.combine = combine;
    }

    /** Integer quant {@code i} of the block at byte {@code b}. */
    abstract int q(MemorySegment s, long b, int i);

    /** Integer scale of group {@code g}; the legacy types have one group per block and no integer scale. */
    int scale(MemorySegment s, long b, int g) {
        return 1;
    }

    /** Integer min of group {@code g}; only Q2_K/Q4_K/Q5_K have them. */
    int min(MemorySegment s, long b, int g) {
        return 0;
    }

    /** Byte offset of the fp16 d (dmin or m, where there is one, follows it). */
    long dOffset() {
        return 0;
    }

    float d(MemorySegment s, long b) {
        return Bytes.half(s, b + dOffset());
    }

    /** dmin (K) or m (Q4_1/Q5_1); zero where the type has none. */
    float m(MemorySegment s, long b) {
        return combine == Combine.SCALED || this == Q3_K || this == Q6_K ? 0f : Bytes.half(s, b + dOffset() + 2);
    }

    /** Legacy 32-quant block: byte j of qs holds quant j (low nibble) and j + 16 (high nibble). */
    private static int nibble(MemorySegment s, long qs, int i) {
        int v = Bytes.u8(s, qs + i % 16);
        return i < 16 ? v & 0xF : v >> 4;
    }

    /** Q4_K/Q5_K: each 64 quants are 32 bytes, quants 0..31 in the low nibbles, 32..63 in the high. */
    private static int kNibble(MemorySegment s, long qs, int i) {
        int v = Bytes.u8(s, qs + 32 * (i / 64) + i % 32);
        return i % 64 < 32 ? v & 0xF : v >> 4;
    }
}
