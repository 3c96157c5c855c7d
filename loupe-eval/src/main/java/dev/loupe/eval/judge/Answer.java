package dev.loupe.eval.judge;

/** A candidate's answer to a question, as the judge sees it. {@code label} is an optional reference verdict. */
public record Answer(String id, String question, String answer, String model, String label) {}
