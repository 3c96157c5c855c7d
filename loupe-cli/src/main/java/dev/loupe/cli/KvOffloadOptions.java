package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.KvOffload;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --kv-ram BYTES --kv-offload-dir DIR}: KV cache blocks beyond a RAM budget spill to a file ({@code run}, {@code chat}, {@code bench}). */
final class KvOffloadOptions {
    @Option(names = "--kv-ram", paramLabel = "BYTES",
            description = "RAM the KV cache may use (e.g. 512M, 2G); blocks beyond it go to a file in --kv-offload-dir and are read back a layer at a time, checked, ahead of the attention that needs them.")
    String ram;

    @Option(names = "--kv-offload-dir", paramLabel = "DIR",
            description = "Directory for the KV offload file (made at start, deleted at the end); with --kv-ram.")
    Path dir;

    /** The offload the flags ask for, or null when neither is given. */
    KvOffload offload() {
        if (ram == null && dir == null) return null;
        if (ram == null) throw new LoupeException("--kv-offload-dir needs --kv-ram BYTES: how much of the KV cache stays in RAM");
        if (dir == null) throw new LoupeException("--kv-ram needs --kv-offload-dir DIR: where the rest of the KV cache goes");
        return new KvOffload(dir, ByteSize.parse(ram, "--kv-ram"));
    }
}
