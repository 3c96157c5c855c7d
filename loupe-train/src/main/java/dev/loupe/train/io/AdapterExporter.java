package dev.loupe.train.io;

import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.tensor.FloatEncoder;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.train.nn.Lora;

import java.nio.file.Path;

/**
 * Writes trained LoRA adapters as a GGUF LoRA adapter in llama.cpp's format (what convert_lora_to_gguf.py writes
 * and llama-adapter.cpp loads): {@code general.type = adapter}, {@code adapter.type = lora},
 * {@code adapter.lora.alpha}, and per adapted matrix {@code blk.N.<name>.weight.lora_a} of GGUF shape [in, rank] and
 * {@code .lora_b} of shape [rank, out], F32. The applied delta is (alpha / rank) · B A, times the user's scale.
 */
public final class AdapterExporter {
    private AdapterExporter() {}

    public static void write(Path target, String name, String architecture, Lora lora) {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", architecture);
        w.putString("general.type", "adapter");
        w.putString("general.name", name);
        w.putString("adapter.type", "lora");
        w.putFloat32("adapter.lora.alpha", lora.config().alpha());
        int r = lora.config().rank();
        for (Lora.Pair p : lora.pairs()) {
            add(w, p.baseName() + ".lora_a", lora.params, p.aOff(), r, p.in());
            add(w, p.baseName() + ".lora_b", lora.params, p.bOff(), p.out(), r);
        }
        w.write(target);
    }

    /** A row-major [rows][cols] matrix at {@code a[off..]} as GGUF shape [cols, rows]. */
    private static void add(GgufWriter w, String name, float[] a, int off, int rows, int cols) {
        w.addTensor(name, GgmlType.F32, new long[]{cols, rows}, out -> {
            byte[] row = new byte[cols * 4];
            for (int i = 0; i < rows; i++) {
                FloatEncoder.encode(GgmlType.F32, a, off + i * cols, cols, row, 0);
                out.write(row);
            }
        });
    }
}
