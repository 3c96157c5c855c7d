package dev.loupe.core.model;

import dev.loupe.core.gguf.GgufFile;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/**
 * A model's repacked matrices kept on disk, so that only the first load of a file repacks and every later one maps
 * the result: start-up then costs no repacking, and the weights are file-backed pages of the page cache (shared by
 * processes, dropped under memory pressure) rather than a private copy.
 *
 * <p>One file per model file, {@code <dir>/<path key>-<content key>.repack}: the path key hashes the model's real
 * path, the content key its size, modification time, GGUF header (metadata and tensor table) and {@link #VERSION},
 * so a model re-exported in place gets a new cache and its old one is deleted. Layout: a 4 KiB header (magic,
 * version, content key, table offset, entries; from byte 64 the model's path, for {@link #list}), the repacked tensors each 4 KiB aligned, then the table (per tensor:
 * offset in the model file, offset here, bytes). A cache is written to a temporary file in the same directory and
 * moved into place only when complete, so a reader never sees a partial one; anything that does not check out (a
 * short file, a bad magic, a table pointing outside the file) is a miss, never an error.
 *
 * <p>Where: {@code -Dloupe.cacheDir}, else {@code $LOUPE_CACHE_DIR}, else {@code $XDG_CACHE_HOME/loupe}, else
 * {@code ~/.cache/loupe}. Off with {@code -Dloupe.repackCache=false} or {@code LOUPE_REPACK_CACHE=off} (matrices
 * are then repacked into memory at every load, as before).
 */
public final class RepackCache {
    /** Bump when any {@link dev.loupe.core.tensor.RowGroups} layout changes: old caches then stop matching. */
    static final int VERSION = 1;
    public static final String SUFFIX = ".repack";
    private static final long MAGIC = 0x4B5052455055_4F4CL; // "LOUPERPK" little-endian
    private static final int PAGE = 4096;
    private static final int ENTRY = 24;
    private static final int CONTENT_KEY = 8;
    /** Free space kept for everything else when deciding whether a cache fits. */
    private static final long SPARE = 256L << 20;
    /** A temporary file untouched this long belongs to a process that died while writing. */
    private static final long STALE_TEMP_MS = TimeUnit.MINUTES.toMillis(30);

    private RepackCache() {}

    /** The cache directory, or null when the cache is turned off. */
    public static Path directory() {
        if ("false".equals(System.getProperty("loupe.repackCache"))) return null;
        String env = System.getenv("LOUPE_REPACK_CACHE");
        if (env != null && (env.equalsIgnoreCase("off") || env.equals("0") || env.equalsIgnoreCase("false"))) return null;
        String dir = System.getProperty("loupe.cacheDir");
        if (dir == null || dir.isBlank()) dir = System.getenv("LOUPE_CACHE_DIR");
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "loupe");
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? null : Path.of(home, ".cache", "loupe");
    }

    /**
     * Names a model file's cache: a path key (CRC32C of the real path) and a content key (CRC32C of the size,
     * modification time and {@link #VERSION}, and CRC32C of the GGUF header). CRC32C rather than a cryptographic hash:
     * it runs as an intrinsic even before the JIT has compiled anything (SHA-256 over a 1B model's header cost ~0.1 s
     * of interpreted code at start-up), and the key only has to tell a model's versions apart, not resist forgery.
     */
    record Key(String pathKey, byte[] content) {
        String fileName() {
            return pathKey + "-" + HexFormat.of().formatHex(content) + SUFFIX;
        }

        static Key of(GgufFile f) throws IOException {
            Path real = f.path().toRealPath();
            BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
            CRC32C p = new CRC32C();
            p.update(real.toString().getBytes(StandardCharsets.UTF_8));
            CRC32C facts = new CRC32C();
            facts.update(ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(VERSION).putLong(attrs.size()).putLong(attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS)).flip());
            CRC32C header = new CRC32C();
            header.update(f.segment().asSlice(0, Math.min(f.dataOffset(), f.fileSize())).asByteBuffer());
            byte[] content = ByteBuffer.allocate(CONTENT_KEY).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) facts.getValue()).putInt((int) header.getValue()).array();
            return new Key(String.format("%08x", (int) p.getValue()), content);
        }
    }

    /** The repacked tensors of a complete cache file, mapped; {@link #find} slices them. */
    static final class Reader {
        private final MemorySegment data;
        /** Model-file offset of a tensor → {offset here, bytes}. */
        private final Map<Long, long[]> table;

        private Reader(MemorySegment data, Map<Long, long[]> table) {
            this.data = data;
            this.table = table;
        }

        /** The cache at {@code file} for {@code key}, mapped into {@code model}'s arena, or null if it is absent or does not check out. */
        static Reader open(GgufFile model, Path file, Key key) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size < PAGE) return null;
                ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, h, 0);
                h.flip();
                if (h.getLong() != MAGIC || h.getInt() != VERSION) return null;
                byte[] content = new byte[CONTENT_KEY];
                h.get(content);
                long tableAt = h.getLong();
                int entries = h.getInt();
                if (!Arrays.equals(content, key.content())) return null;
                // A table longer than the model has tensors is damage: never allocate what a length field claims.
                if (entries < 0 || entries > model.tensors().size() || tableAt < PAGE || tableAt + (long) entries * ENTRY != size) return null;
                ByteBuffer t = ByteBuffer.allocate(entries * ENTRY).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, t, tableAt);
                t.flip();
                Map<Long, long[]> table = new HashMap<>();
                for (int i = 0; i < entries; i++) {
                    long source = t.getLong(), at = t.getLong(), bytes = t.getLong();
                    if (at < PAGE || bytes <= 0 || at + bytes > tableAt) return null;
                    table.put(source, new long[] {at, bytes});
                }
                return new Reader(model.map(ch, 0, size), table);
            } catch (IOException | RuntimeException e) {
                return null; // unreadable or unmappable: repack as if there were no cache
            }
        }

        /** The repacked bytes of the model-file tensor at {@code source} of {@code bytes}, or null if not here. */
        MemorySegment find(long source, long bytes) {
            long[] e = table.get(source);
            return e == null || e[1] != bytes ? null : data.asSlice(e[0], bytes);
        }
    }

    /** A cache being written: tensors appended one by one, mapped as they land, committed at the end. */
    static final class Writer {
        private final GgufFile model;
        private final Path target, temp;
        private final Key key;
        private final FileChannel ch;
        private final ByteBuffer table;
        private int entries;
        private long position = PAGE;

        private Writer(GgufFile model, Path dir, Key key, Path temp, FileChannel ch, int maxEntries) {
            this.model = model;
            this.key = key;
            this.target = dir.resolve(key.fileName());
            this.temp = temp;
            this.ch = ch;
            this.table = ByteBuffer.allocate(maxEntries * ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        }

        /**
         * Starts a cache for {@code bytes} of repacked tensors (at most {@code maxEntries}) in {@code dir}; throws with
         * a reason a user can act on when the directory cannot take it.
         */
        static Writer create(GgufFile model, Path dir, Key key, long bytes, int maxEntries) throws IOException {
            Files.createDirectories(dir);
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < bytes + SPARE) {
                throw new IOException("needs " + (bytes >> 20) + " MiB, " + (free >> 20) + " MiB free");
            }
            removeStale(dir, key);
            Path temp = Files.createTempFile(dir, key.fileName(), ".tmp");
            try {
                FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
                return new Writer(model, dir, key, temp, ch, maxEntries);
            } catch (IOException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        }

        /** Where the next tensor starts; append its bytes, then {@link #end} it. */
        long begin() {
            return position;
        }

        /** Appends {@code chunk} to the tensor begun at {@link #begin}. */
        void append(MemorySegment chunk) throws IOException {
            ByteBuffer b = chunk.asByteBuffer();
            long at = position;
            while (b.hasRemaining()) at += ch.write(b, at);
            position = at;
        }

        /** Ends the tensor begun at {@code start} (the model-file tensor at {@code source}) and maps what was written. */
        MemorySegment end(long start, long source) throws IOException {
            long bytes = position - start;
            table.putLong(source).putLong(start).putLong(bytes);
            entries++;
            position = (position + PAGE - 1) / PAGE * PAGE;
            return model.map(ch, start, bytes);
        }

        Path target() {
            return target;
        }

        /** Writes the table and header, flushes, and moves the file into place. */
        void commit() throws IOException {
            try (ch) {
                table.flip();
                long at = position;
                while (table.hasRemaining()) at += ch.write(table, at);
                ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
                h.putLong(MAGIC).putInt(VERSION).put(key.content()).putLong(position).putInt(entries).flip();
                long hp = 0;
                while (h.hasRemaining()) hp += ch.write(h, hp);
                ByteBuffer path = modelPath(model.path());
                hp = MODEL_PATH_AT;
                while (path.hasRemaining()) hp += ch.write(path, hp);
                // On disk before it has its name: a cache renamed into place must never be read back half-flushed.
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }

        /**
         * {@link #commit} on a thread of its own: flushing a 1B model's cache to disk took ~1.2 s that the first load no
         * longer waits for. The JVM waits for it at exit ({@link #awaitCommits}, a shutdown hook), so when the process
         * ends the cache is complete and named, or (the process killed) left as a temporary file a later writer removes.
         */
        void commitInBackground() {
            Thread t = Thread.ofPlatform().name("loupe-repack-commit").unstarted(() -> {
                try {
                    commit();
                } catch (IOException | RuntimeException e) {
                    System.err.println("loupe: could not keep the repacked weights (" + (e.getMessage() == null ? e : e.getMessage())
                            + "); the next load repacks again");
                    abort();
                } finally {
                    PENDING.remove(Thread.currentThread());
                }
            });
            PENDING.add(t);
            if (HOOKED.compareAndSet(false, true)) {
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("loupe-repack-commit-wait").unstarted(RepackCache::awaitCommits));
            }
            t.start();
        }

        /** Drops the partial file; tensors already mapped from it stay readable (an unlinked file lives on while mapped). */
        void abort() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // being discarded
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover temporary file is removed by the next writer as stale
            }
        }

        /** Older caches of the same model path, and temporary files abandoned by dead processes. */
        private static void removeStale(Path dir, Key key) {
            long now = System.currentTimeMillis();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path p : s) {
                    String name = p.getFileName().toString();
                    boolean oldVersion = name.startsWith(key.pathKey() + "-") && name.endsWith(SUFFIX) && !name.equals(key.fileName());
                    boolean abandoned = name.endsWith(".tmp") && name.contains(SUFFIX)
                            && now - Files.getLastModifiedTime(p).toMillis() > STALE_TEMP_MS;
                    if (oldVersion || abandoned) Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // best effort: a stale file only costs disk space
            }
        }
    }

    private static final Set<Thread> PENDING = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    /** Waits until every cache this JVM is still committing is on disk under its name (or given up). */
    public static void awaitCommits() {
        for (Thread t : PENDING) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Where the model's path is kept in the header: a little-endian length, then UTF-8. */
    private static final int MODEL_PATH_AT = 64;

    private static ByteBuffer modelPath(Path model) {
        byte[] p = model.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8);
        int len = Math.min(p.length, PAGE - MODEL_PATH_AT - 4);
        return ByteBuffer.allocate(4 + len).order(ByteOrder.LITTLE_ENDIAN).putInt(len).put(p, 0, len).flip();
    }

    /** A cache file: its size, when it was written, and the model file it was made from (null if unreadable). */
    public record CachedModel(Path file, long bytes, Instant written, Path model) {
        /** Whether the model file it was made from is gone (its cache can never be used again). */
        public boolean orphaned() {
            return model == null || !Files.isRegularFile(model);
        }
    }

    /** The cache files in {@code dir}, largest first; none if the directory does not exist. */
    public static List<CachedModel> list(Path dir) throws IOException {
        List<CachedModel> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : s) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.add(new CachedModel(p, a.size(), a.lastModifiedTime().toInstant(), recordedModel(p)));
            }
        }
        out.sort(Comparator.comparingLong(CachedModel::bytes).reversed());
        return out;
    }

    /** Deletes the cache files in {@code dir} (only orphaned ones if {@code orphansOnly}); returns what was deleted. */
    public static List<CachedModel> clear(Path dir, boolean orphansOnly) throws IOException {
        List<CachedModel> deleted = new ArrayList<>();
        for (CachedModel c : list(dir)) {
            if (orphansOnly && !c.orphaned()) continue;
            if (Files.deleteIfExists(c.file())) deleted.add(c);
        }
        return deleted;
    }

    private static Path recordedModel(Path cache) {
        try (FileChannel ch = FileChannel.open(cache, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            if (h.getLong(0) != MAGIC) return null;
            int len = h.getInt(MODEL_PATH_AT);
            if (len <= 0 || len > PAGE - MODEL_PATH_AT - 4) return null;
            return Path.of(new String(h.array(), MODEL_PATH_AT + 4, len, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, at + b.position());
            if (n < 0) throw new IOException("short file");
        }
    }
}
