package dev.loupe.data.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.data.dedup.ExactDedup;
import dev.loupe.data.dedup.LineDedup;
import dev.loupe.data.dedup.MinHashDedup;
import dev.loupe.data.filter.C4QualityFilter;
import dev.loupe.data.filter.FineWebQualityFilter;
import dev.loupe.data.filter.GopherQualityFilter;
import dev.loupe.data.filter.GopherRepetitionFilter;
import dev.loupe.data.filter.LengthFilter;
import dev.loupe.data.filter.TextStatsAnnotator;
import dev.loupe.data.io.Compression;
import dev.loupe.data.pii.PiiRedactor;
import dev.loupe.data.pipeline.InputSpec;
import dev.loupe.data.pipeline.OutputSpec;
import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.report.TextReport;
import dev.loupe.data.run.RunOptions;
import dev.loupe.data.run.RunSummary;
import dev.loupe.data.run.Runners;
import dev.loupe.data.step.Step;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Throughput of the whole pipeline without model scoring, on generated documents. Not a test: run it by hand.
 * <pre>
 * java -cp ... dev.loupe.data.bench.DataBench [documents=100000] [shards=16] [workers=1,2]
 * </pre>
 * Generates the corpus (5% exact duplicates, 10% near-duplicates at Jaccard ~0.9, 5% with PII, 5% too short) as
 * gzipped JSONL, then runs every filter, PII redaction and all three dedups once per worker count, and prints
 * documents per second and per second per core.
 */
public final class DataBench {
    private DataBench() {}

    public static void main(String[] args) throws IOException {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int shards = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int[] workers = args.length > 2 ? java.util.Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray() : new int[]{1, 2};
        Path dir = Files.createTempDirectory("loupe-data-bench");
        try {
            long t0 = System.nanoTime();
            generate(dir.resolve("in"), docs, shards, 42);
            System.out.printf(Locale.ROOT, "generated %,d documents in %d shards in %.1f s%n", docs, shards, (System.nanoTime() - t0) / 1e9);
            for (int w : workers) {
                PipelineSpec spec = new PipelineSpec(new InputSpec(List.of(dir.resolve("in").toString()), null, null, null),
                        steps(), new OutputSpec(dir.resolve("out-" + w).toString(), Compression.GZIP, 3));
                long cpu0 = cpuNanos();
                RunSummary s = Runners.runLocal(spec, new RunOptions(w, false, true, null));
                double cpu = (cpuNanos() - cpu0) / 1e9;
                System.out.print(TextReport.render(s));
                // On a shared machine wall time says little; documents per CPU-second of this process (all threads,
                // JIT and GC included) is the per-core figure.
                System.out.printf(Locale.ROOT, "workers=%d: %,.0f docs/s wall, %.1f CPU-s, %,.0f docs per CPU-second%n%n", w,
                        s.documentsIn() / s.seconds(), cpu, s.documentsIn() / cpu);
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    public static List<Step> steps() {
        return List.of(new LengthFilter(null, 100, null), new TextStatsAnnotator(null), GopherQualityFilter.defaults(),
                GopherRepetitionFilter.defaults(), C4QualityFilter.defaults(), FineWebQualityFilter.defaults(),
                new PiiRedactor(null), new ExactDedup(null), MinHashDedup.withThreshold(0.8), new LineDedup(null, null));
    }

    static void generate(Path dir, int docs, int shards, long seed) throws IOException {
        Files.createDirectories(dir);
        CorpusGenerator g = new CorpusGenerator(seed);
        ObjectMapper json = new ObjectMapper();
        List<String> recent = new ArrayList<>();
        int per = (docs + shards - 1) / shards, n = 0;
        for (int s = 0; s < shards; s++) {
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve("part-%03d.jsonl.gz".formatted(s))), 1 << 16);
                 Writer w = new OutputStreamWriter(o, StandardCharsets.UTF_8)) {
                for (int i = 0; i < per && n < docs; i++, n++) {
                    int kind = g.nextInt(20);
                    String text;
                    if (kind == 0 && !recent.isEmpty()) text = recent.get(g.nextInt(recent.size()));
                    else if (kind <= 2 && !recent.isEmpty()) {
                        List<String> words = List.of(recent.get(g.nextInt(recent.size())).split(" "));
                        text = String.join(" ", g.nearDuplicate(words, 0.9, 5));
                    } else if (kind == 3) text = g.document(60, 200) + "\nContact: jane.doe@example.com, +1 415 555 0134.";
                    else if (kind == 4) text = "Short one.";
                    else text = g.document(60, 200);
                    if (recent.size() < 1000) recent.add(text);
                    else recent.set(g.nextInt(1000), text);
                    w.write("{\"id\":\"" + n + "\",\"text\":" + json.writeValueAsString(text) + "}\n");
                }
            }
        }
    }
}
