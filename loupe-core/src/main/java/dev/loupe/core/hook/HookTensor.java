package dev.loupe.core.hook;

/**
 * The activation at a hook point for the rows of one forward batch, as the forward pass holds it: row r occupies
 * {@code data[r * width, (r + 1) * width)} and is the token at sequence position {@link #position(int)}.
 * Per-head sites split a row into {@link #heads()} groups of {@link #headWidth()} (d_head, or the key positions
 * of a pattern). One instance is reused for every call, so a hook must not keep it.
 */
public final class HookTensor {
    private float[] data;
    private int rows, width, heads;
    private int[] positions;

    void set(float[] data, int rows, int width, int heads, int[] positions) {
        this.data = data;
        this.rows = rows;
        this.width = width;
        this.heads = heads;
        this.positions = positions;
    }

    /** The live buffer; writes change the forward pass. Only the first {@code rows * width} values are this batch's. */
    public float[] data() {
        return data;
    }

    public int rows() {
        return rows;
    }

    public int width() {
        return width;
    }

    public int heads() {
        return heads;
    }

    public int headWidth() {
        return width / heads;
    }

    /** Offset of row {@code r} in {@link #data()}. */
    public int offset(int r) {
        return r * width;
    }

    /** Sequence position of row {@code r}. */
    public int position(int r) {
        return positions[r];
    }
}
