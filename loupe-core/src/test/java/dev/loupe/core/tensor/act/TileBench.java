package dev.loupe.core.tensor.act;

import dev.loupe.core.tensor.GgmlType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Not a test: the prefill kernel alone, one thread. {@code rows} weight rows (cut into tiles of {@code tile} rows, as
 * MatMul cuts a thread's share) against a batch of {@code inputs} activation vectors through
 * {@link ActivationDot#dotTile}, best of 15 passes in thread CPU time after a 5 s warm-up ({@link DotBench#measure}).
 * Prints ns per row per input and the multiply-adds per cycle at {@code ghz} (the machine's clock, default 2.0).
 * Run: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.loupe.core.tensor.act.TileBench
 *      [rows cols TYPE,TYPE,... inputs tile ghz]   e.g. "256 2048 Q8_0,Q4_0,Q4_K,Q6_K 128 16"
 */
public final class TileBench {
    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        String list = args.length > 2 ? args[2] : "Q8_0,Q4_0,Q4_K,Q6_K";
        int inputs = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int tile = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        double ghz = args.length > 5 ? Double.parseDouble(args[5]) : 2.0;
        Random r = new Random(1);
        float[] x = ActivationDotTest.randomActivations(cols * inputs, r);
        float[] out = new float[rows * inputs];
        for (String name : list.split(",")) {
            GgmlType t = GgmlType.valueOf(name);
            long rowBytes = t.rowBytes(cols);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment w = arena.allocate(rowBytes * rows, 64);
                w.copyFrom(ActivationDotTest.randomBlocks(t, (int) (rows * rowBytes / t.typeSize), 0, r).asSlice(0, rowBytes * rows));
                ActivationDot dot = ActivationDots.of(t);
                QuantizedVector a = new QuantizedVector();
                a.quantize(x, cols * inputs, ActivationDots.vecDotType(t));
                double[] best = DotBench.measure(() -> {
                    for (int r0 = 0; r0 < rows; r0 += tile) {
                        dot.dotTile(w, r0 * rowBytes, rowBytes, Math.min(tile, rows - r0), a, 0, inputs, cols, out, r0, rows);
                    }
                });
                double ns = best[1] * 1e6 / rows / inputs;
                System.out.printf("%-5s %5dx%d, %d inputs, tiles of %d: cpu %7.1f ns/row/input, %.2f multiply-adds/cycle at %.1f GHz%n",
                        t, rows, cols, inputs, tile, ns, cols / (ns * ghz), ghz);
            }
        }
    }
}
