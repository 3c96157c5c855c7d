package dev.loupe.core.lora;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.Metadata;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;

/**
 * LoRA adapters applied at load time as llama.cpp applies them: the base weights stay mapped and untouched, and
 * every adapted matrix-vector product gains {@code scale * (alpha / rank) * B (A x)} (llama-graph.cpp's
 * build_lora_mm; {@code scale} is the user's, alpha comes from {@code adapter.lora.alpha}, and alpha = 0 means no
 * alpha/rank factor). A and B are decoded to float once: they are small (rank × (in + out) per matrix).
 * Immutable, so one set serves every session of a model; callers pass their own scratch.
 */
public final class LoraSet {
    /** One adapted matrix: A [rank][in] and B transposed, [rank][out] (so B u is rank axpys), and its combined scale. */
    private record Delta(float[] a, float[] bt, int rank, int in, int out, float scale) {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public static final LoraSet NONE = new LoraSet(new Delta[0][][], 0);

    private final Delta[][][] byLayer; // [layer][target][adapter]
    private final int maxRank;

    private LoraSet(Delta[][][] byLayer, int maxRank) {
        this.byLayer = byLayer;
        this.maxRank = maxRank;
    }

    public boolean isEmpty() {
        return maxRank == 0;
    }

    /** Scratch floats {@link #apply} needs. */
    public int scratchSize() {
        return maxRank;
    }

    /**
     * Loads {@code specs} for the model in {@code base} (its architecture and tensor shapes are checked against each
     * adapter's, as llama.cpp does).
     */
    public static LoraSet load(GgufFile base, int layers, List<LoraSpec> specs) {
        if (specs.isEmpty()) return NONE;
        String arch = base.metadata().getString("general.architecture");
        List<List<List<Delta>>> acc = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            List<List<Delta>> perTarget = new ArrayList<>();
            for (int t = 0; t < LoraTarget.values().length; t++) perTarget.add(new ArrayList<>());
            acc.add(perTarget);
        }
        int maxRank = 0;
        for (LoraSpec spec : specs) {
            try (GgufFile f = GgufFile.open(spec.file())) {
                Metadata md = f.metadata();
                String what = spec.file() + " is not a LoRA adapter";
                if (!"adapter".equals(md.getString("general.type", null))) throw new LoupeException(what + " (general.type is not 'adapter')");
                if (!"lora".equals(md.getString("adapter.type", null))) throw new LoupeException(what + " (adapter.type is not 'lora')");
                if (!arch.equals(md.getString("general.architecture", null))) {
                    throw new LoupeException("LoRA adapter " + spec.file() + " is for '" + md.getString("general.architecture", "?") + "', the model is '" + arch + "'");
                }
                float alpha = md.getFloat("adapter.lora.alpha", 0f);
                int found = 0;
                for (int l = 0; l < layers; l++) {
                    for (LoraTarget t : LoraTarget.values()) {
                        String name = t.baseName(l);
                        boolean hasA = f.hasTensor(name + ".lora_a"), hasB = f.hasTensor(name + ".lora_b");
                        if (!hasA && !hasB) continue;
                        if (hasA != hasB) throw new LoupeException(spec.file() + ": " + name + " has only one of lora_a and lora_b");
                        Delta d = delta(base, f, name, alpha, spec);
                        acc.get(l).get(t.ordinal()).add(d);
                        maxRank = Math.max(maxRank, d.rank());
                        found += 2;
                    }
                }
                if (found != f.tensors().size()) {
                    throw new LoupeException("LoRA adapter " + spec.file() + " has tensors Loupe cannot apply (only blk.N.{attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down}.weight are supported)");
                }
            }
        }
        Delta[][][] out = new Delta[layers][LoraTarget.values().length][];
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < out[l].length; t++) out[l][t] = acc.get(l).get(t).toArray(new Delta[0]);
        }
        return new LoraSet(out, maxRank);
    }

    private static Delta delta(GgufFile base, GgufFile f, String name, float alpha, LoraSpec spec) {
        if (!base.hasTensor(name)) throw new LoupeException("LoRA adapter " + spec.file() + " adapts " + name + ", which the model does not have");
        long[] w = base.tensor(name).shape();
        TensorInfo ai = f.tensor(name + ".lora_a"), bi = f.tensor(name + ".lora_b");
        long[] a = ai.shape(), b = bi.shape();
        // llama-adapter.cpp's checks: A is [in, rank], B is [rank, out] in GGUF order.
        if (w.length != 2 || a.length != 2 || b.length != 2 || a[0] != w[0] || b[1] != w[1]) {
            throw new LoupeException("LoRA tensor " + name + " has the wrong shape for this model (a different base model?)");
        }
        if (a[1] != b[0]) throw new LoupeException("LoRA tensor " + name + ".lora_a is not transposed (rank " + a[1] + " vs " + b[0] + ")");
        int rank = (int) b[0];
        float scale = alpha != 0 ? spec.scale() * alpha / rank : spec.scale();
        int out = (int) w[1];
        float[] bRows = Tensor.of(f, bi).toFloatArray(), bt = new float[bRows.length];
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < rank; k++) bt[k * out + j] = bRows[j * rank + k];
        }
        return new Delta(Tensor.of(f, ai).toFloatArray(), bt, rank, (int) w[0], out, scale);
    }

    /**
     * out[i] += sum over adapters of scale · B (A x[i]) for the {@code n} rows of x (stride = the matrix's input size)
     * and of out (stride = its output size), where (layer, target) is adapted. {@code u} is scratch of
     * {@link #scratchSize()} floats.
     */
    public void apply(int layer, LoraTarget target, float[] x, int n, float[] out, float[] u) {
        if (maxRank == 0) return;
        for (Delta d : byLayer[layer][target.ordinal()]) {
            int r = d.rank(), in = d.in(), o = d.out();
            for (int row = 0; row < n; row++) {
                for (int k = 0; k < r; k++) u[k] = d.scale() * dot(d.a(), k * in, x, row * in, in);
                for (int k = 0; k < r; k++) axpy(out, row * o, u[k], d.bt(), k * o, o);
            }
        }
    }

    private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** y[yOff..] += alpha * x[xOff..] over n elements. */
    private static void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }
}
