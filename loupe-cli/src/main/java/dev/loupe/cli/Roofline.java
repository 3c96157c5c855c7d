package dev.loupe.cli;

import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;

/**
 * Decoding's memory-bandwidth bound: generating a token reads every weight once, so tokens/s can be at most the
 * measured read bandwidth over the bytes of weights one token reads. {@link #fraction} says how close a measured
 * tokens/s comes to that bound.
 */
record Roofline(double bytesPerSecond, long bytesPerToken) {

    /**
     * The weight bytes one decoding step reads: every tensor once, except a token embedding that is not also the
     * output layer (a separate {@code output.weight} exists), of which only the token's own row is read.
     */
    static long bytesPerToken(GgufFile f) {
        long bytes = 0;
        TensorInfo embedding = null;
        boolean separateOutput = false;
        for (TensorInfo t : f.tensors()) {
            bytes += t.byteSize();
            if (t.name().equals("token_embd.weight")) embedding = t;
            if (t.name().equals("output.weight")) separateOutput = true;
        }
        if (separateOutput && embedding != null && embedding.shape().length == 2) {
            bytes -= embedding.byteSize() - embedding.byteSize() / embedding.shape()[1];
        }
        return bytes;
    }

    /** The highest decode speed the bandwidth allows. */
    double maxTokensPerSecond() {
        return bytesPerSecond / bytesPerToken;
    }

    /** {@code tokensPerSecond} as a share of {@link #maxTokensPerSecond}. */
    double fraction(double tokensPerSecond) {
        return tokensPerSecond / maxTokensPerSecond();
    }
}
