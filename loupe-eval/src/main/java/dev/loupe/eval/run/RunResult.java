package dev.loupe.eval.run;

import dev.loupe.eval.metric.Estimate;

import java.util.List;

/** The summary of one run of one task on one model; written as results.json and read back by reports. */
public record RunResult(String task, String model, String requestType, int samples, int fewshot, long seed,
                        List<Estimate> metrics, String startedAt, double seconds) {}
