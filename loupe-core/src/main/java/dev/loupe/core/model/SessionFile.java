package dev.loupe.core.model;

import dev.loupe.core.gguf.AtomicFile;
import dev.loupe.core.gguf.GgufException;
import dev.loupe.core.model.SessionFileException.Reason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A session's tokens and their keys and values on disk (llama.cpp's prompt cache, {@code --prompt-cache}), so a
 * later run with the same prompt prefix skips computing it. Little-endian:
 * <pre>
 *   0  magic "LOUPESES"           8 bytes
 *   8  version (1)                u32
 *  12  model fingerprint          32 bytes ({@link ModelFingerprint})
 *  44  layers, kvDim, vDim        u32 x 3
 *  56  K row bytes, V row bytes   u32 x 2  (one position of one layer, in the cache's stored form)
 *  64  K type, V type             8 bytes each, ASCII, zero-padded ("f16", "q8_0", ...)
 *  80  context length at save     u32 (for information)
 *  84  n, the token count         u32
 *  88  token ids                  i32 x n
 *      per layer: K rows of positions [0, n), then V rows of positions [0, n)
 *      CRC32C of every byte above u32
 * </pre>
 * Reading checks, before allocating anything sized by the file: the magic, the version, the fingerprint, the cache
 * type and shape, and that the file is exactly as long as n says (so a hostile n cannot ask for memory). The rows
 * are streamed into the cache while the checksum is computed; a mismatch at the end rejects the file and the caller
 * starts from position 0 again, so damaged rows are never read by attention.
 */
public final class SessionFile {
    static final byte[] MAGIC = "LOUPESES".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 88;
    /** Most tokens a session file may hold: far beyond any context Loupe runs, small enough to bound every size. */
    static final int MAX_TOKENS = 1 << 24;
    private static final int TYPE_NAME_BYTES = 8;
    private static final int CHUNK = 1 << 20;

    private SessionFile() {}

    /** What {@link Session#restore} took from a file: positions now in the cache, of the tokens the file holds. */
    public record Restored(int positions, int savedTokens) {}

    static void write(Path file, KvCache cache, int[] tokens, ModelFingerprint fingerprint) {
        int n = tokens.length, layers = cache.pool.layers;
        int kRow = KvRows.rowBytes(cache, false), vRow = KvRows.rowBytes(cache, true);
        try {
            AtomicFile.write(file, ch -> {
                Out out = new Out(ch);
                ByteBuffer b = out.room(HEADER_BYTES);
                b.put(MAGIC).putInt(VERSION).put(fingerprint.sha256());
                b.putInt(layers).putInt(cache.pool.kvDim).putInt(cache.pool.vDim).putInt(kRow).putInt(vRow);
                b.put(typeName(KvRows.typeName(cache, false))).put(typeName(KvRows.typeName(cache, true)));
                b.putInt(cache.capacity).putInt(n);
                for (int t : tokens) out.room(Integer.BYTES).putInt(t);
                for (int l = 0; l < layers; l++) {
                    rows(out, cache, l, false, n, kRow);
                    rows(out, cache, l, true, n, vRow);
                }
                out.finish();
            });
        } catch (GgufException e) {
            throw new SessionFileException(Reason.IO, e.getMessage(), e);
        }
    }

    private static void rows(Out out, KvCache cache, int layer, boolean values, int n, int rowBytes) throws IOException {
        int per = Math.max(1, CHUNK / rowBytes);
        for (int t = 0; t < n; t += per) {
            int count = Math.min(per, n - t);
            KvRows.export(cache, layer, values, t, count, out.room(count * rowBytes));
        }
    }

    /**
     * Loads into {@code cache} the rows of the longest common prefix of the file's tokens and {@code prompt}, at most
     * {@code limit} positions (the caller keeps at least one prompt token to compute, for logits). The cache must
     * already have room for them.
     */
    static Restored read(Path file, KvCache cache, int[] prompt, int limit, ModelFingerprint fingerprint) {
        String name = file.getFileName().toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            In in = new In(ch, name);
            long size = ch.size();
            if (size < MAGIC.length) throw new SessionFileException(Reason.FOREIGN, name + " is not a Loupe session file");
            ByteBuffer b = in.take(MAGIC.length);
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new SessionFileException(Reason.FOREIGN, name + " is not a Loupe session file");
            if (size < HEADER_BYTES + Integer.BYTES) throw new SessionFileException(Reason.TRUNCATED, name + " is truncated (" + size + " bytes)");
            b = in.take(HEADER_BYTES - MAGIC.length);
            int version = b.getInt();
            if (version != VERSION) {
                throw new SessionFileException(Reason.VERSION, name + " is a session file of version " + Integer.toUnsignedString(version)
                        + "; this Loupe reads version " + VERSION);
            }
            byte[] fp = new byte[ModelFingerprint.BYTES];
            b.get(fp);
            if (!fingerprint.matches(fp)) {
                throw new SessionFileException(Reason.OTHER_MODEL, name + " was saved for another model (or other adapters, RoPE scaling or steering)");
            }
            int layers = b.getInt(), kvDim = b.getInt(), vDim = b.getInt(), kRow = b.getInt(), vRow = b.getInt();
            String kType = typeName(b), vType = typeName(b);
            b.getInt(); // context length at save: informational
            int n = b.getInt();
            String ours = KvRows.typeName(cache, false) + "/" + KvRows.typeName(cache, true);
            if (layers != cache.pool.layers || kvDim != cache.pool.kvDim || vDim != cache.pool.vDim
                    || kRow != KvRows.rowBytes(cache, false) || vRow != KvRows.rowBytes(cache, true)
                    || !(kType + "/" + vType).equals(ours)) {
                throw new SessionFileException(Reason.OTHER_KV_TYPE, name + " holds a " + kType + "/" + vType
                        + " cache of another shape or type than this run's " + ours);
            }
            if (n < 0 || n > MAX_TOKENS) throw new SessionFileException(Reason.TRUNCATED, name + " is damaged (token count " + Integer.toUnsignedString(n) + ")");
            long expected = HEADER_BYTES + 4L * n + (long) layers * n * (kRow + (long) vRow) + Integer.BYTES;
            if (size != expected) {
                throw new SessionFileException(Reason.TRUNCATED, name + " is " + (size < expected ? "truncated" : "damaged")
                        + " (" + size + " bytes where its header says " + expected + ")");
            }
            int[] saved = new int[n];
            for (int i = 0; i < n; i++) saved[i] = in.take(Integer.BYTES).getInt();
            int k = Math.min(commonPrefix(saved, prompt), limit);
            for (int l = 0; l < layers; l++) {
                loadRows(in, cache, l, false, n, k, kRow);
                loadRows(in, cache, l, true, n, k, vRow);
            }
            in.checkCrc();
            return new Restored(k, n);
        } catch (NoSuchFileException e) {
            throw new SessionFileException(Reason.IO, "no such session file: " + file);
        } catch (IOException e) {
            throw new SessionFileException(Reason.IO, "cannot read " + file + ": " + AtomicFile.reason(e), e);
        }
    }

    /** Streams n rows through the checksum, keeping the first k in the cache. */
    private static void loadRows(In in, KvCache cache, int layer, boolean values, int n, int k, int rowBytes) throws IOException {
        int per = Math.max(1, CHUNK / rowBytes);
        for (int t = 0; t < n; t += per) {
            int count = Math.min(per, n - t);
            ByteBuffer b = in.take(count * rowBytes);
            int keep = Math.max(0, Math.min(count, k - t));
            if (keep > 0) KvRows.load(cache, layer, values, t, keep, b);
        }
    }

    static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    private static byte[] typeName(String s) {
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        if (ascii.length > TYPE_NAME_BYTES) throw new IllegalStateException("type name too long: " + s);
        return Arrays.copyOf(ascii, TYPE_NAME_BYTES);
    }

    private static String typeName(ByteBuffer b) {
        byte[] raw = new byte[TYPE_NAME_BYTES];
        b.get(raw);
        int len = 0;
        while (len < raw.length && raw[len] != 0) len++;
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < len; i++) s.append(raw[i] >= 0x20 && raw[i] < 0x7f ? (char) raw[i] : '?');
        return s.toString();
    }

    /** Buffered writes with a running CRC32C over everything written. */
    private static final class Out {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK + HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();

        Out(FileChannel ch) {
            this.ch = ch;
        }

        /** The buffer, with at least {@code bytes} free. */
        ByteBuffer room(int bytes) throws IOException {
            if (buf.remaining() < bytes) flush();
            return buf;
        }

        void flush() throws IOException {
            buf.flip();
            crc.update(buf.duplicate());
            while (buf.hasRemaining()) ch.write(buf);
            buf.clear();
        }

        void finish() throws IOException {
            flush();
            buf.putInt((int) crc.getValue()).flip();
            while (buf.hasRemaining()) ch.write(buf);
        }
    }

    /** Buffered reads with a running CRC32C over everything handed out. */
    private static final class In {
        private final FileChannel ch;
        private final String name;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK + HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();

        In(FileChannel ch, String name) {
            this.ch = ch;
            this.name = name;
            buf.limit(0);
        }

        /** The next {@code bytes} bytes (the returned buffer's position is at them), checksummed. */
        ByteBuffer take(int bytes) throws IOException {
            if (buf.remaining() < bytes) {
                buf.compact();
                while (buf.position() < bytes) {
                    if (ch.read(buf) < 0) throw new SessionFileException(Reason.TRUNCATED, name + " is truncated");
                }
                buf.flip();
            }
            ByteBuffer slice = buf.slice(buf.position(), bytes).order(ByteOrder.LITTLE_ENDIAN);
            crc.update(slice.duplicate());
            buf.position(buf.position() + bytes);
            return slice;
        }

        void checkCrc() throws IOException {
            int computed = (int) crc.getValue();
            int stored = take(Integer.BYTES).getInt();
            if (stored != computed) throw new SessionFileException(Reason.CHECKSUM, name + " is damaged (checksum mismatch)");
        }
    }
}
