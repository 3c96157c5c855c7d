package dev.loupe.eval.metric;

/** A metric's value over the whole run, with its bootstrap standard error and 95% percentile interval. */
public record Estimate(String metric, double value, double stderr, double ciLow, double ciHigh, int n, boolean higherIsBetter) {}
