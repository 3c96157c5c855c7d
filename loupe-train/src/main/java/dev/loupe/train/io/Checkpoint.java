package dev.loupe.train.io;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.train.Trainer;
import dev.loupe.train.nn.LlamaConfig;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Everything a run needs to continue bit for bit: parameters, AdamW moments and step, the batch RNG's state,
 * and the model shape (checked on resume). Stored as a GGUF because Loupe already writes those atomically and
 * reads them bounds-checked; the three arrays are 1-D F32 tensors. It is not a model file: export for that.
 */
public final class Checkpoint {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Checkpoint() {}

    public static void save(Trainer t, Path file) {
        GgufWriter w = new GgufWriter();
        w.putString("general.type", "loupe-train-checkpoint");
        w.putString("train.shape", t.model().config().describe());
        w.putUInt32("train.vocab", t.model().config().vocab());
        w.putUInt64("train.step", t.optimizer().step());
        w.putInt64("train.rng_state", t.rng().state());
        add(w, "params", t.model().params);
        add(w, "adam.m", t.optimizer().m);
        add(w, "adam.v", t.optimizer().v);
        w.write(file);
    }

    private static void add(GgufWriter w, String name, float[] a) {
        w.addTensor(name, GgmlType.F32, new long[]{a.length}, out -> {
            byte[] buf = new byte[1 << 16];
            for (int i = 0; i < a.length; ) {
                int n = Math.min(buf.length / 4, a.length - i);
                for (int j = 0; j < n; j++) {
                    int bits = Float.floatToRawIntBits(a[i + j]);
                    buf[4 * j] = (byte) bits;
                    buf[4 * j + 1] = (byte) (bits >>> 8);
                    buf[4 * j + 2] = (byte) (bits >>> 16);
                    buf[4 * j + 3] = (byte) (bits >>> 24);
                }
                out.write(buf, 0, 4 * n);
                i += n;
            }
        });
    }

    /** Restores {@code t} (built with the same shape) from {@code file}. */
    public static void load(Trainer t, Path file) {
        try (GgufFile f = GgufFile.open(file)) {
            var md = f.metadata();
            if (!"loupe-train-checkpoint".equals(md.getString("general.type", null))) throw new LoupeException(file + " is not a Loupe training checkpoint");
            LlamaConfig c = t.model().config();
            if (!md.getString("train.shape").equals(c.describe()) || md.getInt("train.vocab") != c.vocab()) {
                throw new LoupeException("checkpoint shape " + md.getString("train.shape") + " (vocab " + md.getInt("train.vocab")
                        + ") differs from " + c.describe() + " (vocab " + c.vocab() + ")");
            }
            read(f, "params", t.model().params);
            read(f, "adam.m", t.optimizer().m);
            read(f, "adam.v", t.optimizer().v);
            t.optimizer().setStep(md.getLong("train.step"));
            t.rng().setState(md.getLong("train.rng_state"));
        }
    }

    private static void read(GgufFile f, String name, float[] into) {
        TensorInfo ti = f.tensor(name);
        MemorySegment s = f.tensorData(ti);
        if (s.byteSize() != 4L * into.length) throw new LoupeException("checkpoint tensor " + name + " has the wrong size");
        MemorySegment.copy(s, LE_FLOAT, 0, into, 0, into.length);
    }
}
