package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #9's "a resumed run after a kill mid-way produces the same results without recomputing finished samples",
 * with a real kill: {@code loupe eval run} in a child JVM is SIGKILLed (destroyForcibly) once its response cache
 * has grown, a torn last line is left in the cache as a kill mid-write would, and the same command resumes. The
 * resumed run must equal an uninterrupted one exactly and report that every cached request was reused.
 */
class EvalResumeAfterKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CACHE_LINE = Pattern.compile("cache: (\\d+) responses reused, (\\d+) computed(.*)");

    @TempDir
    Path dir;

    private static List<String> command(Path out) {
        return List.of("eval", "run", "arithmetic_mc", "--limit", "3", "--out", out.toString(), "-t", "2", "--bootstrap", "200");
    }

    @Test
    void aRunKilledMidWayResumesToTheUninterruptedResultsReusingEveryFinishedRequest() throws Exception {
        // The reference: the same task, uninterrupted, in its own folder.
        Path fresh = dir.resolve("fresh");
        CliTest.Result ref = CliTest.run(command(fresh).toArray(String[]::new));
        assertThat(ref.code()).as(ref.err()).isZero();
        long[] refCounts = cacheCounts(ref.out());
        long total = refCounts[0] + refCounts[1];
        assertThat(total).as("3 rows x 4 choices").isEqualTo(12);

        // The same command in a child JVM, killed with SIGKILL once at least one row's answers are in its cache.
        Path killed = dir.resolve("killed");
        Path cache = killed.resolve("cache.jsonl");
        Process child = startChild(command(killed));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (child.isAlive() && newlines(cache) < 4 && System.nanoTime() < deadline) Thread.sleep(2);
            assertThat(child.isAlive()).as("the child must still be running when killed (it finished or died first: %s)",
                    Files.exists(killed.resolve("child.err")) ? Files.readString(killed.resolve("child.err")) : "").isTrue();
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(Files.exists(killed.resolve("results.json"))).as("killed before the summary").isFalse();

        // What survived the kill: whole lines are finished requests; a line cut short (if the kill landed mid-write) is not.
        Set<String> finished = wholeEntries(cache);
        int k = finished.size();
        assertThat(k).as("killed mid-way").isBetween(1, (int) total - 1);
        // Leave exactly one torn last line: the kill's own if it made one, else half of the entry that came next.
        byte[] bytes = Files.readAllBytes(cache);
        if (bytes.length > 0 && bytes[bytes.length - 1] == '\n') {
            String next = Files.readAllLines(fresh.resolve("cache.jsonl")).get(k);
            assertThat(finished).doesNotContain(JSON.readTree(next).get("key").asText());
            Files.writeString(cache, next.substring(0, next.length() / 2), StandardOpenOption.APPEND);
        }

        // Resume with the same command.
        CliTest.Result resumed = CliTest.run(command(killed).toArray(String[]::new));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        Matcher m = CACHE_LINE.matcher(resumed.out());
        assertThat(m.find()).as(resumed.out()).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("every finished request reused").isEqualTo(k);
        assertThat(Long.parseLong(m.group(2))).as("only the unfinished ones computed").isEqualTo(total - k);
        assertThat(m.group(3)).contains("1 torn line(s)");

        // Same results as the uninterrupted run: every sample byte for byte, the summary but for its timing.
        assertThat(Files.readString(killed.resolve("samples.jsonl"))).isEqualTo(Files.readString(fresh.resolve("samples.jsonl")));
        assertThat(withoutTiming(killed)).isEqualTo(withoutTiming(fresh));
        // And the resumed cache now holds every request once, the torn fragment aside.
        assertThat(wholeEntries(cache)).hasSize((int) total);
    }

    /** {@code loupe eval run} in its own JVM: the test's classpath, the JVM flags the build uses, Main as entry point. */
    private Process startChild(List<String> args) throws IOException {
        Path out = args.contains("--out") ? Path.of(args.get(args.indexOf("--out") + 1)) : dir;
        Files.createDirectories(out);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dloupe.home=" + System.getProperty("loupe.home"), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(out.resolve("child.out").toFile())
                .redirectError(out.resolve("child.err").toFile());
        pb.environment().put("LOUPE_NO_PROGRESS", "1");
        return pb.start();
    }

    private static long[] cacheCounts(String out) {
        Matcher m = CACHE_LINE.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private static int newlines(Path f) throws IOException {
        if (!Files.exists(f)) return 0;
        int n = 0;
        for (byte b : Files.readAllBytes(f)) if (b == '\n') n++;
        return n;
    }

    /** Keys of the cache's whole, parseable lines. */
    private static Set<String> wholeEntries(Path cache) throws IOException {
        Set<String> keys = new HashSet<>();
        String text = Files.readString(cache, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        if (end < 0) return keys;
        for (String line : text.substring(0, end).split("\n")) {
            try {
                JsonNode n = JSON.readTree(line);
                if (n != null && n.has("key")) keys.add(n.get("key").asText());
            } catch (IOException torn) {
                // a fragment, not an entry
            }
        }
        return keys;
    }

    private static JsonNode withoutTiming(Path run) throws IOException {
        ObjectNode n = (ObjectNode) JSON.readTree(run.resolve("results.json").toFile());
        n.remove(List.of("started_at", "seconds"));
        return n;
    }
}
