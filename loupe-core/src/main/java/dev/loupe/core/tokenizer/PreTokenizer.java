package dev.loupe.core.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Splits text into words before byte-level BPE, by a chain of {@link WordSplitter}s. Splitters keep
 * per-call state, so each call makes fresh ones and the tokenizer stays safe to share between threads.
 */
final class PreTokenizer {
    private final List<Supplier<WordSplitter>> steps;

    PreTokenizer(List<Supplier<WordSplitter>> steps) {
        this.steps = List.copyOf(steps);
    }

    List<String> split(String text) {
        int[] cpts = text.codePoints().toArray();
        IntList segments = new IntList();
        segments.add(cpts.length);
        for (Supplier<WordSplitter> step : steps) segments = step.get().split(cpts, segments);
        List<String> words = new ArrayList<>(segments.size());
        int start = 0;
        for (int len : segments.toArray()) {
            words.add(new String(cpts, start, len));
            start += len;
        }
        return words;
    }
}
