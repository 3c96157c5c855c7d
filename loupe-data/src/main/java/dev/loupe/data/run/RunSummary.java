package dev.loupe.data.run;

import dev.loupe.data.step.StepStats;

import java.util.List;

/**
 * A whole run: merged stats per step (read, each step, write), shard counts, and wall time. Written to
 * {@code OUT/stats.json}; the report and {@code loupe data stats} read it back.
 *
 * @param resumedShards shards already finished by an earlier, interrupted run
 */
public record RunSummary(String runner, int shards, int resumedShards, double seconds, List<StepStats> steps) {
    public StepStats step(String name) {
        return steps.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no step " + name));
    }

    public long documentsIn() {
        return step("read").count("documents");
    }

    public long documentsOut() {
        return step("write").count("documents");
    }
}
