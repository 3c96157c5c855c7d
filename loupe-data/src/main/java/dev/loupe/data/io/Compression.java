package dev.loupe.data.io;

import io.airlift.compress.zstd.ZstdInputStream;
import io.airlift.compress.zstd.ZstdOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Stream compression, chosen by file extension on read and by the output spec on write. */
public enum Compression {
    NONE(""), GZIP(".gz"), ZSTD(".zst");

    private final String extension;

    Compression(String extension) {
        this.extension = extension;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public String extension() {
        return extension;
    }

    public static Compression of(Path file) {
        String n = file.getFileName().toString();
        if (n.endsWith(".gz")) return GZIP;
        if (n.endsWith(".zst") || n.endsWith(".zstd")) return ZSTD;
        return NONE;
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static Compression parse(String name) {
        return switch (name == null ? "none" : name.toLowerCase(java.util.Locale.ROOT)) {
            case "none", "" -> NONE;
            case "gzip", "gz" -> GZIP;
            case "zstd", "zst" -> ZSTD;
            default -> throw new dev.loupe.core.LoupeException("unknown compression '" + name + "' (none, gzip, zstd)");
        };
    }

    public InputStream wrap(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case ZSTD -> new ZstdInputStream(in);
        };
    }

    /** GZIP headers carry mtime 0 in the JDK's writer, so the same documents always give the same bytes. */
    public OutputStream wrap(OutputStream out) throws IOException {
        return switch (this) {
            case NONE -> out;
            case GZIP -> new GZIPOutputStream(out, 1 << 16);
            case ZSTD -> new ZstdOutputStream(out);
        };
    }
}
