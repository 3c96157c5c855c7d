package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a llama-bench the user built (its path given to {@code bench --vs}) with the same settings as Loupe's own
 * tests, and reads its results, so the two engines are measured in one run on the same file. Nothing of llama.cpp
 * ships with Loupe: this only starts the program it is pointed at.
 * <p>
 * The program's directory is put first on {@code LD_LIBRARY_PATH} (a CMake build keeps its shared libraries beside
 * the binaries). Its peak resident memory is sampled from /proc while it runs, since llama-bench does not report it.
 */
final class LlamaBench {
    /** How often the child's VmHWM is read; it only grows, so a late sample loses at most the last interval's growth. */
    private static final long POLL_MILLIS = 50;

    /** The reference's results, in llama-bench's order, and its peak resident memory (-1 if unknown). */
    record Run(List<BenchResult> results, long peakRssBytes) {}

    private LlamaBench() {}

    /** The argument list for {@code exe}: the same tests Loupe runs (tests with 0 tokens are left out, as Loupe does). */
    static List<String> command(Path exe, Path model, int threads, int prompt, int gen, int reps, List<Integer> depths,
                                String typeK, String typeV) {
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), "-m", model.toString(), "-t", Integer.toString(threads),
                "-p", Integer.toString(prompt), "-n", Integer.toString(gen), "-r", Integer.toString(reps), "-o", "json"));
        if (!depths.equals(List.of(0))) {
            cmd.add("-d");
            cmd.add(String.join(",", depths.stream().map(String::valueOf).toList()));
        }
        if (!typeK.equalsIgnoreCase("f16")) cmd.addAll(List.of("-ctk", typeK.toLowerCase(java.util.Locale.ROOT)));
        if (!typeV.equalsIgnoreCase("f16")) cmd.addAll(List.of("-ctv", typeV.toLowerCase(java.util.Locale.ROOT)));
        return cmd;
    }

    /** Runs {@code cmd} (from {@link #command}) to the end; a missing program or a failed run is a one-line error. */
    static Run run(List<String> cmd) {
        Path exe = Path.of(cmd.get(0));
        if (!Files.isRegularFile(exe)) throw new LoupeException("--vs: no such program: " + exe);
        if (!Files.isExecutable(exe)) throw new LoupeException("--vs: not executable: " + exe);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path dir = exe.toAbsolutePath().getParent();
        Map<String, String> env = pb.environment();
        String libs = env.get("LD_LIBRARY_PATH");
        env.put("LD_LIBRARY_PATH", libs == null || libs.isEmpty() ? dir.toString() : dir + ":" + libs);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new LoupeException("--vs: cannot start " + exe + ": " + e.getMessage());
        }
        try {
            p.getOutputStream().close(); // it reads nothing
        } catch (IOException e) {
            // already gone: its exit code says why
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
        Thread outReader = drain(p.getInputStream(), stdout), errReader = drain(p.getErrorStream(), stderr);
        long peak = -1;
        try {
            while (!p.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) peak = Math.max(peak, ProcStatus.of(p.pid()).peakRssBytes());
            outReader.join();
            errReader.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LoupeException("--vs: interrupted while " + exe.getFileName() + " ran");
        }
        if (p.exitValue() != 0) {
            throw new LoupeException("--vs: " + exe.getFileName() + " exited with " + p.exitValue() + ": "
                    + lastLine(stderr.toString(StandardCharsets.UTF_8)));
        }
        return new Run(parse(stdout.toString(StandardCharsets.UTF_8)), peak);
    }

    /** llama-bench's {@code -o json} output: one object per test, with n_prompt, n_gen, n_depth, n_threads and samples_ts. */
    static List<BenchResult> parse(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new LoupeException("--vs: the program's output is not llama-bench's JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isArray()) throw new LoupeException("--vs: the program's output is not a JSON array of tests");
        List<BenchResult> results = new ArrayList<>();
        for (JsonNode t : root) {
            int prompt = field(t, "n_prompt"), gen = field(t, "n_gen");
            JsonNode samples = t.get("samples_ts");
            if (samples == null || !samples.isArray() || samples.isEmpty()) throw new LoupeException("--vs: a test without samples_ts in the program's output");
            double[] ts = new double[samples.size()];
            for (int i = 0; i < ts.length; i++) ts[i] = samples.get(i).asDouble();
            String test = gen == 0 ? "pp" + prompt : prompt == 0 ? "tg" + gen : "pg" + prompt + "+" + gen;
            results.add(BenchResult.of(test, t.has("n_depth") ? field(t, "n_depth") : 0, field(t, "n_threads"), ts, new ProcStatus(-1, -1)));
        }
        return results;
    }

    private static int field(JsonNode t, String name) {
        JsonNode v = t.get(name);
        if (v == null || !v.canConvertToInt()) throw new LoupeException("--vs: a test without " + name + " in the program's output");
        return v.asInt();
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (in) {
                in.transferTo(to);
            } catch (IOException e) {
                // the process died; what was read is kept, and its exit code tells what happened
            }
        });
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines.length == 0 || lines[lines.length - 1].isBlank() ? "(no message)" : lines[lines.length - 1].strip();
    }
}
