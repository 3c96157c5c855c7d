package dev.loupe.think.strategy;

import java.util.List;
import java.util.Map;

/**
 * A strategy's result on one problem.
 *
 * @param answer          the extracted final answer (null when no candidate produced one)
 * @param solution        the full text of the chosen solution
 * @param tokensGenerated tokens sampled from the model, over every candidate, step and rollout
 * @param verifierCalls   model calls made by an LLM verifier (0 for programmatic verifiers)
 * @param generations     sampled continuations (candidates, steps, rollouts)
 */
public record Outcome(String answer, String solution, long tokensGenerated, long verifierCalls, int generations,
                      List<Map<String, Object>> trace) {}
