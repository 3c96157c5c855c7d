package dev.loupe.core.model;

import dev.loupe.core.StartupTrace;
import dev.loupe.core.gguf.GgufFile;

import dev.loupe.core.lora.LoraSet;
import dev.loupe.core.lora.LoraSpec;

import java.nio.file.Path;
import java.util.List;

/** A loaded model: its file (mapped, never copied), its config, its weight views and any LoRA adapters applied on top. */
public final class Model implements AutoCloseable {
    private final GgufFile file;
    private final ModelConfig config;
    private final Weights weights;
    private final LoraSet lora;

    private Model(GgufFile file, ModelConfig config, Weights weights, LoraSet lora) {
        this.file = file;
        this.config = config;
        this.weights = weights;
        this.lora = lora;
    }

    public static Model load(Path path) {
        return load(path, List.of());
    }

    /** Loads a model with LoRA adapters applied in the forward pass (the base stays mapped, unmodified). */
    public static Model load(Path path, List<LoraSpec> adapters) {
        return load(path, adapters, null);
    }

    /**
     * Loads a model with LoRA adapters and RoPE scaled as {@code rope} makes of the file's own {@code rope.scaling.*}
     * (null: as the file says), for running past the trained context; the run's flags win over the file.
     */
    public static Model load(Path path, List<LoraSpec> adapters, java.util.function.UnaryOperator<RopeScaling> rope) {
        GgufFile f = GgufFile.open(path);
        StartupTrace.mark("gguf mapped, header parsed");
        try {
            Model m = of(f);
            ModelConfig c = rope == null ? m.config : m.config.withRopeScaling(rope.apply(m.config.ropeScaling()));
            if (adapters.isEmpty() && rope == null) return m;
            return new Model(f, c, m.weights, adapters.isEmpty() ? LoraSet.NONE : LoraSet.load(f, c.layers(), adapters));
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Binds an already open file; the model closes it. */
    public static Model of(GgufFile f) {
        KernelWarmup.start(f);
        int vocab = Math.toIntExact(f.tensor("token_embd.weight").shape().length > 1 ? f.tensor("token_embd.weight").shape()[1] : 0);
        ModelConfig c = ModelConfig.fromMetadata(f.metadata(), vocab);
        Model m = new Model(f, c, Weights.load(f, c), LoraSet.NONE);
        StartupTrace.mark("model config and weight views");
        return m;
    }

    public GgufFile file() {
        return file;
    }

    public ModelConfig config() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    /** The adapters applied on top of the weights ({@link LoraSet#NONE} when there are none). */
    public LoraSet lora() {
        return lora;
    }

    @Override
    public void close() {
        file.close();
    }
}
