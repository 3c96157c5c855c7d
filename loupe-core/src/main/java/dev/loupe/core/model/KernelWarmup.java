package dev.loupe.core.model;

import dev.loupe.core.StartupTrace;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.core.tensor.RowGroups;
import dev.loupe.core.tensor.act.ActivationDot;
import dev.loupe.core.tensor.act.ActivationDots;
import dev.loupe.core.tensor.act.QuantizedVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Gets the dot kernels of a model's weight types compiled by C2 while the model and tokenizer load, and holds
 * the first forward pass until they are ({@link #await}). Until C2 compiles a Vector API kernel it runs
 * interpreted or in C1 code that boxes every vector, some 100x slower: a cold first prompt otherwise spent
 * seconds of both cores there, starving the compiler thread it was waiting for.
 *
 * <p>Per type it calls the kernels the first token needs, on a real tensor's full rows (the mapped file itself,
 * so the JIT profiles the same segment class and row lengths as the engine's and nothing is deoptimized later):
 * the single-input dot (decode, the output layer) and the two-input row kernel (a short prompt's prefill). It
 * keeps calling, in rounds, until a round runs many times faster than the slowest one, which is when the
 * compiled code is installed (or a cap is reached). The launcher's {@code CompileThresholdScaling} for the
 * kernel package makes a few hundred calls enough. Any failure (e.g. the model closed meanwhile) just ends the
 * warm-up: it changes nothing the engine reads. {@code -Dloupe.noWarmup=true} turns it off.
 */
final class KernelWarmup {
    /** Calls of each kernel per round. */
    private static final int ROUND = 20;
    /** A round this many times faster than the slowest is compiled code: interpreted vectors are ~100x slower. */
    private static final int SPEEDUP = 12;
    /** Caps per type, for a JVM whose JIT never gets there (flags, a busy machine). */
    private static final int MAX_ROUNDS = 400;
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(8);
    /** Row length used: a whole row up to this, so the loops' trip counts are the engine's. */
    private static final int MAX_ELEMENTS = 8192;
    private static final Set<GgmlType> WARMED = EnumSet.noneOf(GgmlType.class);
    /** Counted down when the warm-up thread ends; the first forward pass waits for it. */
    private static volatile CountDownLatch pending = new CountDownLatch(0);
    private static volatile float blackhole;

    private KernelWarmup() {}

    /** Starts warming the kernels of the types in {@code f} not warmed yet in this JVM; returns at once. */
    static void start(GgufFile f) {
        if (Boolean.getBoolean("loupe.noWarmup")) return;
        Map<GgmlType, TensorInfo> todo = new LinkedHashMap<>();
        synchronized (WARMED) {
            for (TensorInfo t : f.tensors()) {
                GgmlType type = t.type();
                if (t.shape().length < 2 || !type.isQuantized() || !ActivationDots.supports(type)) continue;
                if (t.shape()[0] % type.blockSize != 0 || t.shape()[0] < 256) continue;
                if (WARMED.add(type)) todo.put(type, t);
            }
        }
        if (todo.isEmpty()) return;
        CountDownLatch done = new CountDownLatch(1);
        pending = done;
        Thread.ofPlatform().daemon().name("loupe-warmup").start(() -> {
            try {
                // All types' kernels in every round, in one loop until all are compiled, so the activation conversion
                // sees every format it will convert from its first calls. (Measured alone this did not shorten start-up;
                // splitting QuantizedVector.quantize, which C2 had compiled four times, did.)
                try (Arena arena = Arena.ofShared()) {
                    List<Call> calls = new ArrayList<>();
                    for (TensorInfo t : todo.values()) calls.add(warmer(f.tensorData(t), t, arena));
                    untilCompiled(call -> {
                        float sum = 0;
                        for (Call c : calls) sum += c.run(call);
                        return sum;
                    });
                }
                StartupTrace.mark("kernel warm-up " + todo.keySet());
            } catch (RuntimeException | LinkageError e) {
                // The model was closed or a kernel is missing: the engine will compile the kernels itself.
            } finally {
                done.countDown();
            }
        });
    }

    /**
     * Waits (at most a few seconds) for a running warm-up: computing with the kernels before C2 has them costs
     * far more than waiting, on a machine whose every core is then busy with slow code instead of compiling.
     */
    static void await() {
        CountDownLatch p = pending;
        if (p.getCount() == 0) return;
        try {
            p.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StartupTrace.mark("waited for the kernel warm-up");
    }

    /** The calls that warm {@code t}'s type's kernels: the row-group ones if the type is repacked, else the row ones. */
    private static Call warmer(MemorySegment w, TensorInfo t, Arena arena) {
        GgmlType type = t.type();
        RowGroups layout = RowGroups.of(type);
        if (layout != null && ActivationDots.supportsGroups(type) && Regrouper.enabled() && t.shape()[1] >= 2 * RowGroups.ROWS) {
            // The type's matrices are repacked: the row kernels would only serve a matrix whose rows are not whole
            // groups, and C2's time at start-up goes to the kernels the first token runs.
            return groupWarmer(w, t, layout, arena);
        }
        int n = (int) Math.min(t.shape()[0], MAX_ELEMENTS / type.blockSize * type.blockSize);
        float[] x = new float[2 * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37);
        QuantizedVector a = new QuantizedVector();
        ActivationDot dot = ActivationDots.of(type);
        float[] out = new float[2];
        long rowBytes = type.rowBytes(t.shape()[0]);
        long rows = Math.max(1, Math.min(16, w.byteSize() / rowBytes));
        return call -> {
            long off = call % rows * rowBytes;
            a.quantize(x, 2 * n, ActivationDots.vecDotType(type));
            // dotRows with two inputs, as a short prompt's batched product calls it; dot, as decoding does.
            dot.dotRows(w, off, a, 0, 2, n, out, 0, 1);
            return dot.dot(w, off, a, 0, n) + out[1];
        };
    }

    /** One call of a type's kernels (the {@code call}-th), returning a value of theirs so that they are not optimized away. */
    @FunctionalInterface
    private interface Call {
        float run(int call);
    }

    /**
     * Runs {@code call} in rounds of {@link #ROUND} until a round runs {@link #SPEEDUP} times faster than the slowest
     * (the compiled code is installed) or a cap is reached.
     */
    private static void untilCompiled(Call call) {
        long start = System.nanoTime();
        long slowest = 0;
        float sink = 0;
        for (int round = 0; round < MAX_ROUNDS && System.nanoTime() - start < MAX_NANOS; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < ROUND; i++) sink += call.run(round * ROUND + i);
            long took = System.nanoTime() - t0;
            slowest = Math.max(slowest, took);
            if (round >= 2 && took * SPEEDUP < slowest) break;
        }
        blackhole = sink; // keeps the calls from being optimized away
    }

    /**
     * As {@link #warmer} for the row-group kernel, on two groups of the tensor's first rows packed into memory of the
     * file's arena kind (shared), so the kernel is profiled with the segment and session classes the engine passes.
     */
    private static Call groupWarmer(MemorySegment w, TensorInfo t, RowGroups layout, Arena arena) {
        GgmlType type = t.type();
        int n = (int) t.shape()[0];
        long rowBytes = type.rowBytes(n);
        int rows = 2 * RowGroups.ROWS;
        byte[] in = new byte[(int) (rows * rowBytes)], packed = new byte[in.length];
        MemorySegment.copy(w, ValueLayout.JAVA_BYTE, 0, in, 0, in.length);
        layout.pack(in, packed, 2, (int) rowBytes);
        float[] x = new float[2 * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.cos(i * 0.41);
        QuantizedVector a = new QuantizedVector();
        ActivationDot dot = ActivationDots.ofGroups(type);
        float[] out = new float[2 * rows];
        // Native memory of the kind the engine passes (a shared arena's plain native segment, as weights repacked in
        // memory or mapped from the repack cache are), so the kernel is profiled with the segment class it will see.
        MemorySegment g = arena.allocate(rows * rowBytes, 64);
        MemorySegment.copy(packed, 0, g, ValueLayout.JAVA_BYTE, 0, packed.length);
        return call -> {
            a.quantize(x, 2 * n, ActivationDots.vecDotType(type));
            // One input (decoding), then two (a short prompt).
            dot.dotTile(g, 0, rowBytes, rows, a, 0, 1, n, out, 0, rows);
            dot.dotTile(g, 0, rowBytes, rows, a, 0, 2, n, out, 0, rows);
            return out[call % out.length];
        };
    }
}
