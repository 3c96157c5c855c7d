package dev.loupe.sandbox;

import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs untrusted, generated code in a separate process: its own temp dir is the only place it can write, it has
 * no network, and it is killed when it runs out of time; memory, process count and file size are capped. See
 * {@link Confinement} for how (Linux namespaces and rlimits through util-linux; no SecurityManager exists any
 * more to do it inside a JVM). Thread-safe: runs are independent, each in a fresh dir that is deleted afterwards.
 *
 * <pre>{@code
 * Sandbox sandbox = Sandbox.create();
 * Result r = sandbox.run(Language.PYTHON, "print(int(input()) * 2)", "21\n", Limits.defaults());
 * r.stdout();   // "42\n"
 * }</pre>
 */
public final class Sandbox {
    private static volatile Sandbox shared;

    private final Confinement confinement;
    private final Path java;
    private final Path python;

    private Sandbox(Confinement confinement, Path java, Path python) {
        this.confinement = confinement;
        this.java = java;
        this.python = python;
    }

    /**
     * The sandbox for this machine (probed once per JVM).
     *
     * @throws LoupeException when the machine cannot confine a run (no util-linux, namespaces disabled): the
     *                        sandbox refuses to run code unconfined rather than pretend
     */
    public static Sandbox create() {
        Sandbox s = shared;
        if (s == null) {
            synchronized (Sandbox.class) {
                if (shared == null) {
                    Confinement c = Confinement.detect();
                    shared = new Sandbox(c, javaLauncher(), realPython(c.dropsToOtherUser()));
                }
                s = shared;
            }
        }
        return s;
    }

    /** Whether {@code language} can run here (Python needs a python3 on PATH). */
    public boolean supports(Language language) {
        return language == Language.JAVA || python != null;
    }

    /**
     * Writes {@code source} to a fresh dir, runs it there with {@code stdin} and returns how it ended. A program
     * that fails to compile is a normal result (non-zero exit, the compiler's message on stderr).
     */
    public Result run(Language language, String source, String stdin, Limits limits) {
        if (!supports(language)) throw new LoupeException("the sandbox cannot run " + language + ": no python3 on PATH");
        Path work = null;
        try {
            work = Files.createTempDirectory("loupe-sandbox");
            Files.writeString(work.resolve(language.fileName()), source, StandardCharsets.UTF_8);
            String uid = confinement.runUid();
            confinement.giveTo(work, uid);
            List<String> cmd = confinement.command(work, uid, program(language, limits), limits,
                    language == Language.PYTHON);
            return execute(cmd, work, stdin, limits);
        } catch (IOException e) {
            throw new LoupeException("the sandbox could not start a run: " + e.getMessage(), e);
        } finally {
            if (work != null) WorkDir.delete(work);
        }
    }

    private List<String> program(Language language, Limits limits) {
        List<String> p = new ArrayList<>();
        switch (language) {
            case JAVA -> {
                // The heap is the memory limit; the rest keeps a small program's JVM small and quick to start
                // (one compiler thread, serial GC: fewer tasks against the process limit).
                p.add(java.toString());
                p.add("-Xmx" + (limits.memoryBytes() >> 20) + "m");
                p.addAll(List.of("-Xss1m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ActiveProcessorCount=1",
                        "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=32m", "-XX:-UsePerfData",
                        "-Djava.io.tmpdir=.", "-Duser.home=."));
                p.add(language.fileName());
            }
            case PYTHON -> {
                p.add(python.toString());
                p.add("-I");
                p.add(language.fileName());
            }
        }
        return p;
    }

    private static Result execute(List<String> cmd, Path work, String stdin, Limits limits) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        Map<String, String> env = pb.environment();
        String path = env.getOrDefault("PATH", "/usr/bin:/bin");
        env.clear();
        env.put("PATH", path);
        env.put("HOME", work.toString());
        env.put("TMPDIR", work.toString());
        env.put("LANG", "C.UTF-8");
        env.put("MALLOC_ARENA_MAX", "2");   // glibc reserves 64 MiB of address space per arena otherwise
        long start = System.nanoTime();
        Process process = pb.start();
        BoundedOutput out = new BoundedOutput(process.getInputStream(), limits.maxOutputBytes());
        BoundedOutput err = new BoundedOutput(process.getErrorStream(), limits.maxOutputBytes());
        Thread feeder = Thread.ofVirtual().start(() -> feed(process.getOutputStream(), stdin));
        boolean timedOut = false;
        try {
            if (!process.waitFor(limits.wallTime().toNanos(), TimeUnit.NANOSECONDS)) {
                timedOut = true;
                // Killing unshare kills its child (--kill-child), PID 1 of the run's namespace, and with it every
                // process the run started: a fork bomb's children cannot outlive it. PID 1 exits only once the
                // kernel has reaped the rest, so waiting for it means the run is really over.
                List<ProcessHandle> init = process.children().toList();
                process.destroyForcibly();
                process.waitFor();
                for (ProcessHandle h : init) h.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LoupeException("interrupted while running sandboxed code", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("a sandboxed run outlived its kill by 10 s", e);
        }
        feeder.interrupt();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        int code = process.exitValue();
        String stdout = out.text(), stderr = err.text();
        boolean killed = timedOut || code > 128;
        return new Result(code, stdout, stderr, timedOut, killed, out.truncated() || err.truncated(), elapsed);
    }

    private static void feed(OutputStream in, String stdin) {
        try (in) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The program exited without reading all its input: not an error of the run.
        }
    }

    private static Path javaLauncher() {
        Path p = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(p)) throw new LoupeException("no java launcher at " + p);
        return p;
    }

    /**
     * The python3 interpreter itself, not a wrapper (pyenv's shim is a shell script that reads the caller's
     * home); when runs drop to another uid, one that uid can execute (pyenv's under /root is not). Null when none.
     */
    private static Path realPython(boolean forOtherUser) {
        List<Path> candidates = new ArrayList<>();
        Path onPath = Confinement.onPath("python3");
        if (onPath != null) candidates.add(onPath);
        candidates.add(Path.of("/usr/bin/python3"));
        for (Path candidate : candidates) {
            Path exe = executable(candidate);
            if (exe != null && (!forOtherUser || Confinement.reachableByOthers(exe))) return exe;
        }
        return null;
    }

    private static Path executable(Path python) {
        if (!Files.isExecutable(python)) return null;
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", "import sys; print(sys.executable)")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            Path exe = Path.of(out);
            return Files.isExecutable(exe) ? exe : null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
