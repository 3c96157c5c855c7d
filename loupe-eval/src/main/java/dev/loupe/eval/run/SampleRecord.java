package dev.loupe.eval.run;

/** One line of samples.jsonl: which row, where it came from, and what it produced. */
public record SampleRecord(String id, int index, String source, int line, Outcome outcome) {}
