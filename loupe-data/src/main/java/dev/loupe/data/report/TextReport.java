package dev.loupe.data.report;

import dev.loupe.data.run.RunSummary;
import dev.loupe.data.step.StepStats;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The run summary as a plain-text table for the terminal. */
public final class TextReport {
    private TextReport() {}

    public static String render(RunSummary s) {
        StringBuilder b = new StringBuilder();
        long in = s.documentsIn();
        b.append(String.format(Locale.ROOT, "%,d documents read, %,d written (%.1f%%), %d shards (%d resumed), %.1f s, %,.0f docs/s (%s runner)%n",
                in, s.documentsOut(), in == 0 ? 0 : 100.0 * s.documentsOut() / in, s.shards(), s.resumedShards(), s.seconds(),
                in / Math.max(s.seconds(), 1e-9), s.runner()));
        b.append(String.format(Locale.ROOT, "%-20s %10s %10s %10s %10s  %s%n", "step", "in", "kept", "dropped", "changed", "details"));
        for (StepStats st : s.steps()) {
            String details = st.getCounters().entrySet().stream()
                    .filter(e -> !Map.of("in", 1, "kept", 1, "dropped", 1, "changed", 1).containsKey(e.getKey()))
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
            b.append(String.format(Locale.ROOT, "%-20s %10s %10s %10s %10s  %s%n", st.getName(), num(st, "in"), num(st, "kept"),
                    num(st, "dropped"), num(st, "changed"), details));
        }
        return b.toString();
    }

    private static String num(StepStats st, String key) {
        return st.getCounters().containsKey(key) ? String.format(Locale.ROOT, "%,d", st.count(key)) : "";
    }
}
