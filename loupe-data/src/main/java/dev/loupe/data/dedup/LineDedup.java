package dev.loupe.data.dedup;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.GlobalStep;
import dev.loupe.data.step.Outcome;

import java.util.ArrayList;
import java.util.List;

/**
 * Line-level dedup across documents (as in CCNet's paragraph dedup and datatrove's line dedup): a line (normalized,
 * at least {@code min_chars} long) that appeared in an earlier document is removed from every later one. Boilerplate
 * such as navigation, cookie notices and footers goes; a document left empty is dropped. Repeats within one
 * document are left to the repetition filter.
 */
public record LineDedup(String name, Integer minChars) implements GlobalStep<long[]> {
    public LineDedup {
        name = name == null ? "line_dedup" : name;
        minChars = minChars == null ? 10 : minChars;
    }

    @Override
    public long[] signature(Document doc) {
        return lineHashes(doc.text(), minChars).stream().mapToLong(Long::longValue).distinct().toArray();
    }

    /** Hash per line (normalized), or null for lines too short to dedup; one entry per line. */
    static List<Long> lineHashes(String text, int minChars) {
        List<Long> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String n = Hashing.normalize(line);
            out.add(n.length() >= minChars ? Hashing.hash(n) : null);
        }
        out.removeIf(java.util.Objects::isNull);
        return out;
    }

    @Override
    public DocStep plan(List<Signed<long[]>> sigs, Counters c) {
        LongIntMap owner = new LongIntMap(1 << 16);
        LongIntMap shared = new LongIntMap(1 << 10);
        for (int i = 0; i < sigs.size(); i++) {
            for (long h : sigs.get(i).signature()) {
                int o = owner.putIfAbsent(h, i);
                if (o != i) shared.putIfAbsent(h, o);
            }
        }
        DocKey[] keys = sigs.stream().map(Signed::key).toArray(DocKey[]::new);
        c.add("distinct_lines", owner.size());
        c.add("lines_seen_in_several_documents", shared.size());
        return new Apply(name, minChars, shared, keys);
    }

    /** The plan: for each line seen in several documents, the document that keeps it. */
    record Apply(String name, int minChars, LongIntMap owners, DocKey[] keys) implements DocStep {
        @Override
        public Outcome apply(Document doc, Counters c) {
            String[] lines = doc.text().split("\n", -1);
            StringBuilder kept = new StringBuilder(doc.text().length());
            int removed = 0;
            for (String line : lines) {
                String n = Hashing.normalize(line);
                if (n.length() >= minChars) {
                    int o = owners.get(Hashing.hash(n));
                    if (o >= 0 && !keys[o].equals(doc.key())) {
                        removed++;
                        continue;
                    }
                }
                if (!kept.isEmpty()) kept.append('\n');
                kept.append(line);
            }
            if (removed == 0) return Outcome.keep(doc);
            c.add("lines_removed", removed);
            if (kept.toString().isBlank()) return Outcome.drop("all_lines_duplicate");
            return Outcome.keep(doc.withText(kept.toString()));
        }
    }
}
