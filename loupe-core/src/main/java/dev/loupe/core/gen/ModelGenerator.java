package dev.loupe.core.gen;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.gguf.MetadataValue;
import dev.loupe.core.tensor.FloatEncoder;
import dev.loupe.core.tensor.GgmlType;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Writes a random-weight GGUF of any supported Llama-family shape. Speed does not depend on the values,
 * so this is how Loupe benchmarks realistic sizes without downloading weights, and how tests get models
 * of architectures no fixture ships. Values come from a seeded SplitMix64 stream per tensor, so the same
 * options always give the same file, on any JVM.
 *
 * @param tokenizerFrom a GGUF whose {@code tokenizer.*} keys are copied, or null for Loupe's own small vocabulary
 * @param slidingWindow written as {@code attention.sliding_window} when positive
 * @param ropeLinearFactor written as linear {@code rope.scaling} when above 1
 * @param ropeFreqFactors  write a {@code rope_freqs} tensor of per-pair divisors, as Llama 3.1+ files carry
 */
public record ModelGenerator(ModelShape shape, GgmlType type, long seed, Path tokenizerFrom, int slidingWindow,
                             float ropeLinearFactor, boolean ropeFreqFactors) {

    public ModelGenerator {
        if (!FloatEncoder.supports(type)) throw new LoupeException("gen-model writes F32, F16 or BF16 (quantize afterwards), not " + type);
    }

    public ModelGenerator(ModelShape shape, GgmlType type, long seed, Path tokenizerFrom, int slidingWindow) {
        this(shape, type, seed, tokenizerFrom, slidingWindow, 0f, false);
    }

    /** Writes the model to {@code target} atomically; {@code progress} receives bytes written so far. */
    public void write(Path target, String name, LongConsumer progress) {
        GgufWriter w = new GgufWriter();
        ModelShape s = shape;
        String a = s.arch() + ".";
        w.putString("general.architecture", s.arch());
        w.putString("general.name", name);
        w.putUInt32("general.file_type", switch (type) { case F16 -> 1; case BF16 -> 32; default -> 0; });
        w.putUInt32(a + "block_count", s.layers());
        w.putUInt32(a + "context_length", s.contextLength());
        w.putUInt32(a + "embedding_length", s.dim());
        w.putUInt32(a + "feed_forward_length", s.ffnDim());
        w.putUInt32(a + "attention.head_count", s.heads());
        w.putUInt32(a + "attention.head_count_kv", s.kvHeads());
        w.putUInt32(a + "attention.key_length", s.headDim());
        w.putUInt32(a + "attention.value_length", s.headDim());
        w.putFloat32(a + "attention.layer_norm_rms_epsilon", s.normEps());
        w.putFloat32(a + "rope.freq_base", s.ropeTheta());
        w.putUInt32(a + "rope.dimension_count", s.headDim());
        if (s.arch().equals("gemma2")) {
            w.putFloat32(a + "attn_logit_softcapping", 50f);
            w.putFloat32(a + "final_logit_softcapping", 30f);
        }
        if (slidingWindow > 0) w.putUInt32(a + "attention.sliding_window", slidingWindow);
        if (ropeLinearFactor > 1) {
            w.putString(a + "rope.scaling.type", "linear");
            w.putFloat32(a + "rope.scaling.factor", ropeLinearFactor);
        }

        int vocab = tokenizerFrom == null ? StandInVocab.writeTo(w) : copyTokenizer(w, tokenizerFrom);
        w.putUInt32(a + "vocab_size", vocab);
        int q = s.heads() * s.headDim(), kv = s.kvHeads() * s.headDim();
        long[] written = {0};
        TensorAdder add = (tname, cols, rows, kind) -> {
            long[] shp = rows == 1 ? new long[]{cols} : new long[]{cols, rows};
            // Norm weights stay F32 as llama.cpp's converters keep them.
            GgmlType t = kind == Kind.MATRIX ? type : GgmlType.F32;
            w.addTensor(tname, t, shp, out -> {
                RandomValues r = new RandomValues(seed * 0x9E3779B97F4A7C15L + tname.hashCode());
                float[] row = new float[cols];
                byte[] buf = new byte[cols * 4];
                for (int i = 0; i < rows; i++) {
                    r.fill(row, kind, cols);
                    int n = FloatEncoder.encode(t, row, 0, cols, buf, 0);
                    out.write(buf, 0, n);
                    written[0] += n;
                    if (progress != null && (i & 255) == 0) progress.accept(written[0]);
                }
            });
        };
        add.add("token_embd.weight", s.dim(), vocab, Kind.MATRIX);
        for (int l = 0; l < s.layers(); l++) {
            String b = "blk." + l + ".";
            add.add(b + "attn_norm.weight", s.dim(), 1, Kind.NORM);
            if (s.arch().equals("phi3")) {
                add.add(b + "attn_qkv.weight", s.dim(), q + 2 * kv, Kind.MATRIX);
            } else {
                add.add(b + "attn_q.weight", s.dim(), q, Kind.MATRIX);
                add.add(b + "attn_k.weight", s.dim(), kv, Kind.MATRIX);
                add.add(b + "attn_v.weight", s.dim(), kv, Kind.MATRIX);
            }
            if (s.arch().equals("qwen2")) {
                add.add(b + "attn_q.bias", q, 1, Kind.BIAS);
                add.add(b + "attn_k.bias", kv, 1, Kind.BIAS);
                add.add(b + "attn_v.bias", kv, 1, Kind.BIAS);
            }
            if (s.arch().equals("qwen3")) {
                add.add(b + "attn_q_norm.weight", s.headDim(), 1, Kind.NORM);
                add.add(b + "attn_k_norm.weight", s.headDim(), 1, Kind.NORM);
            }
            add.add(b + "attn_output.weight", q, s.dim(), Kind.MATRIX);
            if (s.arch().equals("gemma2")) add.add(b + "post_attention_norm.weight", s.dim(), 1, Kind.NORM);
            add.add(b + "ffn_norm.weight", s.dim(), 1, Kind.NORM);
            if (s.arch().equals("phi3")) {
                add.add(b + "ffn_up.weight", s.dim(), 2 * s.ffnDim(), Kind.MATRIX);
            } else {
                add.add(b + "ffn_gate.weight", s.dim(), s.ffnDim(), Kind.MATRIX);
                add.add(b + "ffn_up.weight", s.dim(), s.ffnDim(), Kind.MATRIX);
            }
            add.add(b + "ffn_down.weight", s.ffnDim(), s.dim(), Kind.MATRIX);
            if (s.arch().equals("gemma2")) add.add(b + "post_ffw_norm.weight", s.dim(), 1, Kind.NORM);
        }
        if (ropeFreqFactors) {
            // Llama 3.1's factors run from 1 (high frequencies) to 8 (low); a ramp exercises every pair differently.
            int pairs = s.headDim() / 2;
            w.addTensor("rope_freqs.weight", GgmlType.F32, new long[]{pairs}, out -> {
                float[] f = new float[pairs];
                for (int i = 0; i < pairs; i++) f[i] = 1f + 7f * i / Math.max(1, pairs - 1);
                byte[] buf = new byte[pairs * 4];
                FloatEncoder.encode(GgmlType.F32, f, 0, pairs, buf, 0);
                out.write(buf);
            });
        }
        add.add("output_norm.weight", s.dim(), 1, Kind.NORM);
        if (!s.tiedOutput()) add.add("output.weight", s.dim(), vocab, Kind.MATRIX);
        w.write(target);
    }

    private static int copyTokenizer(GgufWriter w, Path from) {
        try (GgufFile f = GgufFile.open(from)) {
            for (Map.Entry<String, MetadataValue> e : f.metadata().asMap().entrySet()) {
                if (e.getKey().startsWith("tokenizer.")) w.put(e.getKey(), e.getValue());
            }
            return f.metadata().getStringArray("tokenizer.ggml.tokens").length;
        }
    }

    enum Kind { MATRIX, NORM, BIAS }

    @FunctionalInterface
    private interface TensorAdder {
        void add(String name, int cols, int rows, Kind kind);
    }

    /** SplitMix64: tiny, fast, and specified bit for bit, so generated files never depend on the JDK. */
    private static final class RandomValues {
        private long state;

        RandomValues(long seed) {
            this.state = seed;
        }

        private long next() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        /** Uniform in [-1, 1). */
        private float uniform() {
            return (next() >>> 40) * 0x1.0p-23f - 1f;
        }

        void fill(float[] row, Kind kind, int cols) {
            // Uniform with the variance of N(0, 1/cols) keeps activations O(1) through the layers.
            float a = (float) Math.sqrt(3.0 / cols);
            for (int i = 0; i < cols; i++) {
                row[i] = switch (kind) {
                    case MATRIX -> a * uniform();
                    case NORM -> 1f + 0.2f * uniform();
                    case BIAS -> 0.1f * uniform();
                };
            }
        }
    }
}
