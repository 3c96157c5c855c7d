package dev.loupe.data.io;

import io.airlift.compress.Compressor;
import io.airlift.compress.Decompressor;
import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.codec.CompressionCodecNotSupportedException;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Parquet page codecs in pure Java: UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW (aircompressor and java.util.zip).
 * parquet-hadoop's own factory goes through Hadoop's codec classes and a Hadoop {@code Configuration}, which would
 * put ~50 MB of Hadoop jars on the classpath of every Parquet user; these five cover what Spark, pandas/pyarrow and
 * DuckDB write by default (Snappy, ZSTD) and what our writer uses.
 */
final class ParquetCodecs implements CompressionCodecFactory {
    static final ParquetCodecs INSTANCE = new ParquetCodecs();

    private ParquetCodecs() {}

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return new BytesInputCompressor() {
            @Override
            public BytesInput compress(BytesInput in) throws IOException {
                byte[] b = in.toByteArray();
                return switch (codec) {
                    case UNCOMPRESSED -> BytesInput.from(b);
                    case GZIP -> BytesInput.from(gzip(b));
                    default -> BytesInput.from(block(compressor(codec), b));
                };
            }

            @Override
            public CompressionCodecName getCodecName() {
                return codec;
            }

            @Override
            public void release() {}
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new BytesInputDecompressor() {
            @Override
            public BytesInput decompress(BytesInput in, int uncompressedSize) throws IOException {
                byte[] b = in.toByteArray();
                return BytesInput.from(switch (codec) {
                    case UNCOMPRESSED -> b;
                    case GZIP -> gunzip(b, uncompressedSize);
                    default -> unblock(decompressor(codec), b, uncompressedSize);
                });
            }

            @Override
            public void decompress(ByteBuffer in, int compressedSize, ByteBuffer out, int uncompressedSize) throws IOException {
                byte[] b = new byte[compressedSize];
                in.get(b);
                out.put(decompress(BytesInput.from(b), uncompressedSize).toByteArray());
            }

            @Override
            public void release() {}
        };
    }

    @Override
    public void release() {}

    private static Compressor compressor(CompressionCodecName c) {
        return switch (c) {
            case SNAPPY -> new SnappyCompressor();
            case ZSTD -> new ZstdCompressor();
            case LZ4_RAW -> new Lz4Compressor();
            default -> throw unsupported(c);
        };
    }

    private static Decompressor decompressor(CompressionCodecName c) {
        return switch (c) {
            case SNAPPY -> new SnappyDecompressor();
            case ZSTD -> new ZstdDecompressor();
            case LZ4_RAW -> new Lz4Decompressor();
            default -> throw unsupported(c);
        };
    }

    private static CompressionCodecNotSupportedException unsupported(CompressionCodecName c) {
        return new CompressionCodecNotSupportedException(c.getHadoopCompressionCodecClass() != null
                ? c.getHadoopCompressionCodecClass() : Object.class);
    }

    private static byte[] block(Compressor c, byte[] in) {
        byte[] out = new byte[c.maxCompressedLength(in.length)];
        int n = c.compress(in, 0, in.length, out, 0, out.length);
        return java.util.Arrays.copyOf(out, n);
    }

    private static byte[] unblock(Decompressor d, byte[] in, int size) throws IOException {
        byte[] out = new byte[size];
        try {
            int n = d.decompress(in, 0, in.length, out, 0, size);
            if (n != size) throw new IOException("corrupt page: " + n + " bytes decompressed, " + size + " expected");
        } catch (MalformedInputException e) {
            throw new IOException("corrupt page: " + e.getMessage(), e);
        }
        return out;
    }

    /** The JDK's gzip writer puts mtime 0 in the header, so equal pages give equal bytes. */
    private static byte[] gzip(byte[] in) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream(in.length / 2 + 64);
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(in);
        }
        return bo.toByteArray();
    }

    private static byte[] gunzip(byte[] in, int size) throws IOException {
        try (InputStream g = new GZIPInputStream(new java.io.ByteArrayInputStream(in))) {
            byte[] out = g.readNBytes(size);
            if (out.length != size) throw new IOException("corrupt page: gzip gave " + out.length + " bytes, " + size + " expected");
            return out;
        }
    }
}
