package dev.loupe.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory as Linux reports it in /proc/self/status: VmRSS (resident now) and VmHWM (the peak).
 * Both include the pages of the memory-mapped model that have been touched, as they do for llama.cpp, so the
 * numbers compare. -1 where /proc is unavailable (not Linux).
 */
record ProcStatus(long rssBytes, long peakRssBytes) {

    static ProcStatus read() {
        return of("self");
    }

    /** Another process's (e.g. the llama-bench that {@code bench --vs} runs); -1s once it has exited. */
    static ProcStatus of(long pid) {
        return of(Long.toString(pid));
    }

    private static ProcStatus of(String pid) {
        try {
            long rss = -1, hwm = -1;
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) rss = kib(line);
                else if (line.startsWith("VmHWM:")) hwm = kib(line);
            }
            return new ProcStatus(rss, hwm);
        } catch (IOException | RuntimeException e) {
            return new ProcStatus(-1, -1);
        }
    }

    /** "VmRSS:	  123456 kB" -> bytes. */
    private static long kib(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]) * 1024;
    }
}
