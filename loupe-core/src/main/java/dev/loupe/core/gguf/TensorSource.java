package dev.loupe.core.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Produces one tensor's bytes while the file is being written, so a model larger than the heap can be
 * written (quantized, converted, trained) piece by piece. It must write exactly the tensor's byte size.
 */
@FunctionalInterface
public interface TensorSource {
    void writeTo(TensorOutput out) throws IOException;

    static TensorSource of(byte[] data) {
        return out -> out.write(data);
    }

    /** The segment must stay readable (its arena open) until the writer has written the file. */
    static TensorSource of(MemorySegment data) {
        return out -> out.write(data);
    }
}
