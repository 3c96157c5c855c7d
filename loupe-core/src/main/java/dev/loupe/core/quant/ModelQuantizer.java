package dev.loupe.core.quant;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.gguf.TensorSource;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.Codec;
import dev.loupe.core.tensor.Codecs;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Quantizes a GGUF model file to another, as llama-quantize does: the same metadata (with
 * {@code general.file_type} and {@code general.quantization_version} set, split keys dropped), the tensors in
 * llama.cpp's order with the types {@link TypePlanner} picks, and the same bytes for every quantized tensor.
 * Tensors stream from the input's mapping through a bounded buffer into the output, so the model is never on
 * the heap; the output appears atomically.
 */
public final class ModelQuantizer {
    /** llama.cpp's GGML_QNT_VERSION, which llama-quantize writes to every file. */
    static final int QUANTIZATION_VERSION = 2;
    /** Output bytes converted per hand-off to the writer; bounds the heap used whatever the model size. */
    private static final int SLAB_BYTES = 8 << 20;

    public record Options(QuantMix mix, boolean pure, boolean allowRequantize, int threads) {}

    public record Result(long inputBytes, long outputBytes, int tensors, int converted, int fallbacks) {}

    private ModelQuantizer() {}

    /** {@code progress} receives the number of tensor bytes written so far (of {@link #plannedBytes}). */
    public static Result quantize(Path in, Path out, Options o, LongConsumer progress) {
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new LoupeException("the output must be a different file from the input (" + in + ")");
        }
        try (GgufFile f = GgufFile.open(in); ThreadPool pool = new ThreadPool(o.threads())) {
            List<PlannedTensor> plan = TypePlanner.plan(f, o.mix(), o.pure());
            check(plan, o);
            GgufWriter w = new GgufWriter().copyMetadata(f);
            for (String k : List.of("split.no", "split.count", "split.tensors.count")) w.remove(k);
            // llama.cpp sets these by removing and appending, so they end up last.
            w.remove("general.quantization_version").putUInt32("general.quantization_version", QUANTIZATION_VERSION);
            w.remove("general.file_type").putUInt32("general.file_type", o.mix().fileType);

            int maxCols = plan.stream().filter(PlannedTensor::converts).mapToInt(p -> (int) p.source().rowLength()).max().orElse(1);
            RowConverter converter = new RowConverter(pool, maxCols);
            byte[] slab = new byte[slabSize(plan)];
            long[] done = {0};
            int converted = 0;
            for (PlannedTensor p : plan) {
                TensorInfo t = p.source();
                MemorySegment data = f.tensorData(t);
                TensorSource source;
                if (p.converts()) {
                    converted++;
                    Codec codec = Codecs.of(t.type(), t.name());
                    source = sink -> {
                        int cols = (int) t.rowLength();
                        int rowBytes = (int) p.target().rowBytes(cols);
                        int rowsPerSlab = Math.max(1, slab.length / rowBytes);
                        for (long r = 0; r < t.rows(); r += rowsPerSlab) {
                            int n = (int) Math.min(rowsPerSlab, t.rows() - r);
                            converter.convert(data, codec, p.target(), cols, r, n, slab);
                            sink.write(slab, 0, n * rowBytes);
                            progress.accept(done[0] += (long) n * rowBytes);
                        }
                    };
                } else {
                    source = sink -> {
                        sink.write(data);
                        progress.accept(done[0] += data.byteSize());
                    };
                }
                w.addTensor(t.name(), p.target(), t.shape(), source);
            }
            w.write(out);
            int fallbacks = (int) plan.stream().filter(PlannedTensor::fellBack).count();
            return new Result(f.fileSize(), sizeOf(out), plan.size(), converted, fallbacks);
        }
    }

    /** Tensor bytes the output will hold (the total that progress counts up to). */
    public static long plannedBytes(Path in, QuantMix mix, boolean pure) {
        try (GgufFile f = GgufFile.open(in)) {
            return TypePlanner.plan(f, mix, pure).stream().mapToLong(PlannedTensor::targetBytes).sum();
        }
    }

    private static void check(List<PlannedTensor> plan, Options o) {
        for (PlannedTensor p : plan) {
            if (!p.converts()) continue;
            TensorInfo t = p.source();
            Codecs.of(t.type(), t.name()); // a clear error if Loupe cannot decode the source type
            if (t.type().isQuantized() && !o.allowRequantize()) {
                throw new LoupeException("tensor '" + t.name() + "' is already " + t.type()
                        + "; requantizing loses accuracy (start from an F32/F16/BF16 file, or pass --allow-requantize)");
            }
            if (!Quantizers.supports(p.target())) {
                throw new LoupeException("tensor '" + t.name() + "' would need type " + p.target() + ", which Loupe cannot write");
            }
        }
    }

    private static int slabSize(List<PlannedTensor> plan) {
        long maxRow = plan.stream().filter(PlannedTensor::converts)
                .mapToLong(p -> p.target().rowBytes(p.source().rowLength())).max().orElse(1);
        return (int) Math.max(maxRow, Math.min(SLAB_BYTES, plan.stream().filter(PlannedTensor::converts)
                .mapToLong(PlannedTensor::targetBytes).max().orElse(1)));
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
