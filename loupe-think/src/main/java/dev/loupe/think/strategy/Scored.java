package dev.loupe.think.strategy;

/** A finished candidate: its text, extracted answer (may be null) and verifier score (NaN when unscored). */
public record Scored(String text, String answer, double score) {}
