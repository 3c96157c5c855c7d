package dev.loupe.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the time to the first token goes: with {@code -Dloupe.trace.startup=true} (the launcher sets it for
 * {@code LOUPE_TRACE_STARTUP=1}) every {@link #mark} prints one line on stderr with the wall time since the
 * launcher started (or, run without it, since the JVM started), the time since the previous mark, and the CPU
 * the calling thread and the whole process have used. CPU is what to read on a loaded machine: wall time
 * there measures the other jobs. {@link #finish} prints the last line and turns the trace off, so a server's
 * later requests print nothing. Off, a mark is one read of a static final boolean.
 *
 * <p>The launcher hands over its own phases as {@code -Dloupe.trace.launcher=NAME=EPOCH_MICROS,...} (bash's
 * {@code $EPOCHREALTIME} without the dot); they are printed first, so the script's own cost is on the record.
 */
public final class StartupTrace {
    private static final boolean ENABLED = Boolean.getBoolean("loupe.trace.startup");
    private static volatile boolean on = ENABLED;
    private static long originMicros;
    private static long lastMicros;

    private StartupTrace() {}

    static {
        if (ENABLED) begin();
    }

    public static boolean enabled() {
        return on;
    }

    /** Records that {@code phase} has just ended. */
    public static void mark(String phase) {
        if (on) print(phase);
    }

    /** Records the last phase and stops tracing (later marks, e.g. a server's next request, print nothing). */
    public static void finish(String phase) {
        if (!on) return;
        synchronized (StartupTrace.class) {
            if (!on) return;
            print(phase);
            System.err.print(cpuByThread());
            System.err.print(residentMemory());
            System.err.flush();
            on = false;
        }
    }

    private static void begin() {
        long now = nowMicros();
        String launcher = System.getProperty("loupe.trace.launcher", "");
        long origin = 0;
        long prev = 0;
        StringBuilder sb = new StringBuilder();
        for (String part : launcher.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) continue;
            long t;
            try {
                t = Long.parseLong(part.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            if (origin == 0) origin = prev = t;
            sb.append(line("launcher: " + part.substring(0, eq), t - origin, t - prev, -1, -1));
            prev = t;
        }
        if (origin == 0) {
            // No launcher marks: count from the JVM's start, as the kernel recorded it (10 ms resolution).
            origin = ProcessHandle.current().info().startInstant()
                    .map(i -> i.getEpochSecond() * 1_000_000 + i.getNano() / 1000).orElse(now);
            prev = origin;
        }
        originMicros = origin;
        lastMicros = prev;
        System.err.print(sb);
        System.err.flush();
    }

    private static synchronized void print(String phase) {
        long now = nowMicros();
        String thread = Thread.currentThread().getName();
        String name = "main".equals(thread) ? phase : phase + " [" + thread + "]";
        System.err.print(line(name, now - originMicros, now - lastMicros, threadCpuMicros(), processCpuMicros()));
        System.err.flush();
        lastMicros = now;
    }

    private static String line(String phase, long atMicros, long deltaMicros, long threadCpu, long processCpu) {
        return String.format(Locale.ROOT, "startup: %-34s at %7.3f s  +%7.3f s%s%n", phase, atMicros / 1e6, deltaMicros / 1e6,
                threadCpu < 0 ? "" : String.format(Locale.ROOT, "   cpu: thread %6.3f s, process %6.3f s",
                        threadCpu / 1e6, processCpu / 1e6));
    }

    /**
     * The process's CPU so far split by thread, threads of one kind (JIT compilers, GC workers, the engine's pool)
     * summed: on two cores, a second of C2 compiling is a second the first token waits for.
     */
    private static String cpuByThread() {
        java.util.Map<String, Long> byKind = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(t.resolve("comm")).strip();
                    String s = Files.readString(t.resolve("schedstat"));
                    long micros = Long.parseLong(s.substring(0, s.indexOf(' '))) / 1000;
                    byKind.merge(name.replaceAll("[#0-9]+$", "").strip(), micros, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        StringBuilder sb = new StringBuilder("startup: cpu by thread (live threads):");
        byKind.entrySet().stream().filter(e -> e.getValue() >= 5_000)
                .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sb.append(String.format(Locale.ROOT, " %s %.3f s;", e.getKey(), e.getValue() / 1e6)));
        return sb.append(System.lineSeparator()).toString();
    }

    /** Resident memory split into the mapped model (file pages) and everything else (anonymous: heap, JIT, KV). */
    private static String residentMemory() {
        try {
            long rss = 0, anon = 0, file = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
                String[] f = line.split("\\s+");
                if (f.length < 2) continue;
                switch (f[0]) {
                    case "Rss:" -> rss = Long.parseLong(f[1]);
                    case "Anonymous:" -> anon = Long.parseLong(f[1]);
                    default -> { }
                }
            }
            file = rss - anon; // the model's pages, plus the JDK's own libraries and archive (~40 MiB)
            Runtime rt = Runtime.getRuntime();
            return String.format(Locale.ROOT, "startup: resident %.0f MiB: anonymous %.0f MiB (Java heap committed %.0f MiB, used %.0f MiB), "
                    + "file-backed %.0f MiB%n", rss / 1024.0, anon / 1024.0, rt.totalMemory() / 1048576.0,
                    (rt.totalMemory() - rt.freeMemory()) / 1048576.0, file / 1024.0);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static long nowMicros() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000 + i.getNano() / 1000;
    }

    /** This thread's CPU time in µs from the scheduler's nanosecond counter, or -1 off Linux. */
    private static long threadCpuMicros() {
        try {
            String s = Files.readString(Path.of("/proc/thread-self/schedstat"));
            return Long.parseLong(s.substring(0, s.indexOf(' '))) / 1000;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The process's user + system CPU time in µs (clock ticks of 10 ms), or -1 off Linux. */
    private static long processCpuMicros() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name (which may hold spaces) start past the last ')'; utime, stime are 14, 15.
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
