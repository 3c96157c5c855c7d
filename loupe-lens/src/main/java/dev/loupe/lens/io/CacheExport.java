package dev.loupe.lens.io;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.cache.ActivationCache;
import dev.loupe.lens.cache.CachedActivation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Saves an {@link ActivationCache}: one {@code NAME.npy} per activation in a directory, or one safetensors file. */
public final class CacheExport {
    private CacheExport() {}

    /** Writes {@code dir/NAME.npy} for every cached activation; returns how many files. */
    public static int toNpyDirectory(ActivationCache cache, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LoupeException("cannot create directory " + dir + ": " + e.getMessage());
        }
        for (Map.Entry<String, CachedActivation> e : cache.entries().entrySet()) {
            NpyWriter.write(dir.resolve(e.getKey() + ".npy"), e.getValue().shape(), e.getValue().data());
        }
        return cache.entries().size();
    }

    public static void toSafetensors(ActivationCache cache, Path file, Map<String, String> metadata) {
        SafetensorsWriter.write(file, cache.entries(), metadata);
    }
}
