package dev.loupe.train.io;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.train.Trainer;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.optim.AdamW;

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

    /** The mode of pretraining checkpoints (and of those written before modes existed). */
    public static final String PRETRAIN = "pretrain";

    private Checkpoint() {}

    public static void save(Trainer t, Path file) {
        save(file, PRETRAIN, t.model().config(), t.model().params, t.optimizer(), t.rng().state());
    }

    /**
     * Saves a run whose trained parameters are {@code params} (the whole model, or only its LoRA adapters) on a
     * model of shape {@code c}; {@code mode} says what kind of run it is (e.g. "sft", "lora r=8 ...") and must match
     * on resume.
     */
    public static void save(Path file, String mode, LlamaConfig c, float[] params, AdamW opt, long rngState) {
        GgufWriter w = new GgufWriter();
        w.putString("general.type", "loupe-train-checkpoint");
        w.putString("train.shape", c.describe());
        w.putUInt32("train.vocab", c.vocab());
        w.putString("train.mode", mode);
        w.putUInt64("train.step", opt.step());
        w.putInt64("train.rng_state", rngState);
        add(w, "params", params);
        add(w, "adam.m", opt.m);
        add(w, "adam.v", opt.v);
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
        t.rng().setState(load(file, PRETRAIN, t.model().config(), t.model().params, t.optimizer()));
    }

    /** Restores what {@link #save(Path, String, LlamaConfig, float[], AdamW, long)} saved; returns the RNG state. */
    public static long load(Path file, String mode, LlamaConfig c, float[] params, AdamW opt) {
        try (GgufFile f = GgufFile.open(file)) {
            var md = f.metadata();
            if (!"loupe-train-checkpoint".equals(md.getString("general.type", null))) throw new LoupeException(file + " is not a Loupe training checkpoint");
            if (!md.getString("train.shape").equals(c.describe()) || md.getInt("train.vocab") != c.vocab()) {
                throw new LoupeException("checkpoint shape " + md.getString("train.shape") + " (vocab " + md.getInt("train.vocab")
                        + ") differs from " + c.describe() + " (vocab " + c.vocab() + ")");
            }
            String saved = md.getString("train.mode", PRETRAIN);
            if (!saved.equals(mode)) throw new LoupeException("checkpoint " + file + " is of a '" + saved + "' run, not '" + mode + "'");
            read(f, "params", params);
            read(f, "adam.m", opt.m);
            read(f, "adam.v", opt.v);
            opt.setStep(md.getLong("train.step"));
            return md.getLong("train.rng_state");
        }
    }

    private static void read(GgufFile f, String name, float[] into) {
        TensorInfo ti = f.tensor(name);
        MemorySegment s = f.tensorData(ti);
        if (s.byteSize() != 4L * into.length) throw new LoupeException("checkpoint tensor " + name + " has the wrong size");
        MemorySegment.copy(s, LE_FLOAT, 0, into, 0, into.length);
    }
}
