package dev.loupe.core.model;

import dev.loupe.core.StartupTrace;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.core.tensor.act.ActivationDot;
import dev.loupe.core.tensor.act.ActivationDots;
import dev.loupe.core.tensor.act.QuantizedVector;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Runs the dot kernels of a model's weight types on a side thread while the model and tokenizer load, so that
 * the JIT has compiled them by the first token. Until C2 compiles a Vector API kernel it runs interpreted or
 * in C1 code that boxes every vector, some 100x slower: a cold first prompt otherwise spends seconds there.
 *
 * <p>It multiplies the first rows of a real tensor of each type (the mapped file itself, so the JIT profiles
 * the same segment class as the engine's and nothing is deoptimized later) by made-up activations, each type
 * once per JVM. The launcher's {@code CompileThresholdScaling} for the kernel package makes a few hundred
 * calls enough; without it this only starts the work. Any failure (e.g. the model closed meanwhile) just ends
 * the warm-up: it changes nothing the engine reads. {@code -Dloupe.noWarmup=true} turns it off.
 */
final class KernelWarmup {
    /** Calls per type: past the scaled C2 thresholds (a few hundred) with room, and ~50-100 ms interpreted. */
    private static final int CALLS = 1500;
    /** Elements per call: one K-quant super-block or eight 32-blocks, so interpreted calls stay short. */
    private static final int ELEMENTS = 256;
    private static final Set<GgmlType> WARMED = EnumSet.noneOf(GgmlType.class);

    private KernelWarmup() {}

    /** Starts warming the kernels of the types in {@code f} not warmed yet in this JVM; returns at once. */
    static void start(GgufFile f) {
        if (Boolean.getBoolean("loupe.noWarmup")) return;
        Map<GgmlType, TensorInfo> todo = new LinkedHashMap<>();
        synchronized (WARMED) {
            for (TensorInfo t : f.tensors()) {
                GgmlType type = t.type();
                if (t.shape().length < 2 || t.shape()[0] < ELEMENTS || !type.isQuantized() || !ActivationDots.supports(type)) continue;
                if (WARMED.add(type)) todo.put(type, t);
            }
        }
        if (todo.isEmpty()) return;
        Thread.ofPlatform().daemon().name("loupe-warmup").start(() -> {
            try {
                for (TensorInfo t : todo.values()) warm(f.tensorData(t), t.type());
                StartupTrace.mark("kernel warm-up " + todo.keySet());
            } catch (RuntimeException | LinkageError e) {
                // The model was closed or a kernel is missing: the engine will compile the kernels itself.
            }
        });
    }

    private static void warm(MemorySegment w, GgmlType type) {
        float[] x = new float[2 * ELEMENTS];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37);
        QuantizedVector a = new QuantizedVector();
        a.quantize(x, x.length, ActivationDots.vecDotType(type));
        ActivationDot dot = ActivationDots.of(type);
        float[] out = new float[2];
        long rowBytes = type.rowBytes(ELEMENTS);
        long rows = Math.min(16, w.byteSize() / rowBytes);
        // dotRows with two inputs, as a short prompt's batched product calls it; its default runs dot per input.
        for (int i = 0; i < CALLS; i++) dot.dotRows(w, i % rows * rowBytes, a, 0, 2, ELEMENTS, out, 0, 1);
    }
}
