package dev.loupe.core.quant;

import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;

/** One input tensor and the type it will be written as ({@code target == source.type()} means copied as is). */
public record PlannedTensor(TensorInfo source, GgmlType target, boolean fellBack) {
    public boolean converts() {
        return target != source.type();
    }

    public long targetBytes() {
        return source.rows() * target.rowBytes(source.rowLength());
    }
}
