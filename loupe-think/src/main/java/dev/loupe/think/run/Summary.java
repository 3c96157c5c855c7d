package dev.loupe.think.run;

/**
 * One strategy's result over a task file.
 *
 * @param accuracy            fraction of problems whose chosen answer matches the reference (tests pass, for code)
 * @param tokensPerProblem    mean tokens generated per problem: the compute spent
 * @param generationsPerProblem mean sampled continuations per problem
 * @param verifierCallsPerProblem mean LLM-verifier calls per problem
 */
public record Summary(String strategy, int problems, int correct, double accuracy, double tokensPerProblem,
                      double generationsPerProblem, double verifierCallsPerProblem, double seconds) {}
