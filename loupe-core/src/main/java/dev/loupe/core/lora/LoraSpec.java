package dev.loupe.core.lora;

import dev.loupe.core.LoupeException;

import java.nio.file.Path;

/** An adapter file to apply and its user scale (llama.cpp's {@code --lora-scaled FILE SCALE}; 1 by default). */
public record LoraSpec(Path file, float scale) {

    /** "adapter.gguf" or "adapter.gguf:0.5" (the part after the last ':' is a scale only if it is a number). */
    public static LoraSpec parse(String s) {
        int colon = s.lastIndexOf(':');
        if (colon > 0) {
            try {
                float scale = Float.parseFloat(s.substring(colon + 1));
                if (!Float.isFinite(scale)) throw new LoupeException("LoRA scale must be finite: " + s);
                return new LoraSpec(Path.of(s.substring(0, colon)), scale);
            } catch (NumberFormatException notAScale) {
                // a path with a colon in it
            }
        }
        return new LoraSpec(Path.of(s), 1f);
    }
}
