package dev.loupe.train.nn;

/** Rounding to F16 and back: the engine keeps K/V in F16 and rounds Q and attention weights before their products. */
final class Half {
    private Half() {}

    static void round(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) x[off + i] = Float.float16ToFloat(Float.floatToFloat16(x[off + i]));
    }
}
