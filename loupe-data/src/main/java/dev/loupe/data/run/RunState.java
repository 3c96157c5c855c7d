package dev.loupe.data.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.core.LoupeException;
import dev.loupe.data.pipeline.PipelineLoader;
import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The bookkeeping that makes a run resumable, in {@code OUT/.loupe/}: the pipeline's fingerprint, one marker per
 * finished shard (its stats, written after the shard's file is in place), and each global step's saved plan.
 * A shard without a marker is redone from scratch; since its output is replaced atomically, that is never a
 * duplicate.
 */
public final class RunState {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A global step's decision and the counters from making it. */
    public record Plan(DocStep step, Counters counters) implements Serializable {}

    private final Path dir;
    private final Path out;

    public RunState(Path out) {
        this.out = out;
        this.dir = out.resolve(".loupe");
    }

    /** Checks that OUT holds nothing or a run of this same pipeline on these same files, and marks it as ours. */
    public void claim(PipelineSpec spec, List<String> files) {
        String fp = fingerprint(spec, files);
        Path f = dir.resolve("pipeline.sha256");
        try {
            Files.createDirectories(dir.resolve("done"));
            if (Files.exists(f)) {
                String old = Files.readString(f).trim();
                if (!old.equals(fp))
                    throw new LoupeException(out + " holds a run of a different pipeline or input; delete it or choose another output.dir");
            } else {
                try (Stream<Path> s = Files.list(out)) {
                    if (s.anyMatch(p -> !p.getFileName().toString().equals(".loupe")))
                        throw new LoupeException(out + " is not empty and is not a Loupe run's output; choose another output.dir");
                }
                write(f, fp.getBytes(StandardCharsets.UTF_8));
            }
            try (Stream<Path> s = Files.list(out)) { // temp files of a killed run
                for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
    }

    static String fingerprint(PipelineSpec spec, List<String> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(PipelineLoader.mapper(Path.of(".")).writeValueAsBytes(spec));
            for (String f : files) md.update((f + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<ShardResult> done(int shard) {
        Path f = marker(shard);
        if (!Files.exists(f)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(f.toFile(), ShardResult.class));
        } catch (IOException e) {
            return Optional.empty(); // a marker cut short by a kill: redo the shard
        }
    }

    public void markDone(ShardResult r) {
        try {
            write(marker(r.shard()), JSON.writeValueAsBytes(r));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Plan> plan(int step) {
        Path f = dir.resolve("plan-" + step + ".bin");
        if (!Files.exists(f)) return Optional.empty();
        try (InputStream in = Files.newInputStream(f); ObjectInputStream o = new ObjectInputStream(in)) {
            return Optional.of((Plan) o.readObject());
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            return Optional.empty(); // unreadable (killed mid-write, other version): recompute
        }
    }

    public void savePlan(int step, Plan p) {
        Path f = dir.resolve("plan-" + step + ".bin");
        Path tmp = dir.resolve(".plan-" + step + ".bin.tmp");
        try (OutputStream os = Files.newOutputStream(tmp); ObjectOutputStream o = new ObjectOutputStream(os)) {
            o.writeObject(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        move(tmp, f);
    }

    private Path marker(int shard) {
        return dir.resolve("done").resolve("%05d.json".formatted(shard));
    }

    static void write(Path f, byte[] bytes) throws IOException {
        Path tmp = f.resolveSibling("." + f.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        move(tmp, f);
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
