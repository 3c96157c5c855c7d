package dev.loupe.core.model;

import dev.loupe.core.gguf.GgufFile;

import java.nio.file.Path;

/** A loaded model: its file (mapped, never copied), its config and its weight views. */
public final class Model implements AutoCloseable {
    private final GgufFile file;
    private final ModelConfig config;
    private final Weights weights;

    private Model(GgufFile file, ModelConfig config, Weights weights) {
        this.file = file;
        this.config = config;
        this.weights = weights;
    }

    public static Model load(Path path) {
        GgufFile f = GgufFile.open(path);
        try {
            return of(f);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Binds an already open file; the model closes it. */
    public static Model of(GgufFile f) {
        int vocab = Math.toIntExact(f.tensor("token_embd.weight").shape().length > 1 ? f.tensor("token_embd.weight").shape()[1] : 0);
        ModelConfig c = ModelConfig.fromMetadata(f.metadata(), vocab);
        return new Model(f, c, Weights.load(f, c));
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

    @Override
    public void close() {
        file.close();
    }
}
