package dev.loupe.cli;

import dev.loupe.core.model.KvFormat;
import picocli.CommandLine.Option;

/** {@code -ctk}/{@code -ctv}: the KV cache's key and value types, as llama.cpp's flags ({@code run}, {@code chat}, {@code bench}, {@code serve}). */
final class KvCacheOptions {
    @Option(names = {"-ctk", "--cache-type-k"}, paramLabel = "TYPE",
            description = "KV cache type of the keys: f32, f16, q8_0 or q4_0 (default: ${DEFAULT-VALUE}, as llama.cpp).")
    String keys = "f16";

    @Option(names = {"-ctv", "--cache-type-v"}, paramLabel = "TYPE",
            description = "KV cache type of the values: f32, f16, q8_0 or q4_0 (default: ${DEFAULT-VALUE}).")
    String values = "f16";

    /** The chosen types; a bad name is a one-line error listing the valid ones. */
    KvFormat format() {
        return new KvFormat(KvFormat.parseType(keys), KvFormat.parseType(values));
    }
}
