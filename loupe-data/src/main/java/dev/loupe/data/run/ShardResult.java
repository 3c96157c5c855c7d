package dev.loupe.data.run;

import dev.loupe.data.step.StepStats;

import java.io.Serializable;
import java.util.List;

/** What one shard's task did: stats for reading, each step, and writing, in pipeline order. */
public record ShardResult(int shard, String file, List<StepStats> steps) implements Serializable {}
