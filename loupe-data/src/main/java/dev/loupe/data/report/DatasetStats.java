package dev.loupe.data.report;

import dev.loupe.data.filter.Text;
import dev.loupe.data.io.DocReader;
import dev.loupe.data.io.InputError;
import dev.loupe.data.pipeline.InputSpec;
import dev.loupe.data.run.InputFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Size statistics of a set of documents (a run's output, or any input the readers understand). */
public record DatasetStats(int files, long documents, long chars, long words, long corrupt, int[] charPercentiles) {
    public static DatasetStats of(Path dir) {
        List<String> files = InputFiles.dataFiles(new InputSpec(List.of(dir.toString()), null, null, null));
        long[] totals = new long[4];
        List<Integer> lengths = new ArrayList<>();
        DocReader r = new DocReader(null, "text", "id");
        for (int i = 0; i < files.size(); i++) {
            r.read(Path.of(files.get(i)), i, d -> {
                totals[0]++;
                totals[1] += d.text().length();
                totals[2] += Text.words(d.text()).size();
                lengths.add(d.text().length());
            }, (InputError e) -> totals[3]++);
        }
        int[] sorted = lengths.stream().mapToInt(Integer::intValue).sorted().toArray();
        int[] pct = new int[]{at(sorted, 0.1), at(sorted, 0.5), at(sorted, 0.9), at(sorted, 0.99)};
        return new DatasetStats(files.size(), totals[0], totals[1], totals[2], totals[3], pct);
    }

    private static int at(int[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    public String render() {
        return String.format(Locale.ROOT, """
                %d files, %,d documents, %,d characters, %,d words%s
                mean %.0f chars / %.0f words per document; chars p10 %d, p50 %d, p90 %d, p99 %d
                """, files, documents, chars, words, corrupt > 0 ? ", " + corrupt + " corrupt pieces skipped" : "",
                documents == 0 ? 0.0 : (double) chars / documents, documents == 0 ? 0.0 : (double) words / documents,
                charPercentiles[0], charPercentiles[1], charPercentiles[2], charPercentiles[3]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetStats d && d.files == files && d.documents == documents && d.chars == chars
                && d.words == words && d.corrupt == corrupt && Arrays.equals(d.charPercentiles, charPercentiles);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(documents) * 31 + Long.hashCode(chars);
    }

    @Override
    public String toString() {
        return render();
    }
}
