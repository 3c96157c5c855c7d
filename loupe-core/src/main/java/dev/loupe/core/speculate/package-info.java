/**
 * Speculative decoding: a cheap drafter guesses the next few tokens, the target model checks all of them in one
 * batched forward pass, and the KV cache is rolled back past the first wrong guess. Decoding is bound by reading the
 * weights, so checking k + 1 tokens costs about as much as producing one; every accepted guess is a token for free.
 *
 * <ul>
 *   <li>{@link dev.loupe.core.speculate.SpeculativeGenerator}: the loop (prefill, draft, verify, roll back, stream, stop).</li>
 *   <li>{@link dev.loupe.core.speculate.Drafter}: where guesses come from: {@link dev.loupe.core.speculate.ModelDrafter}
 *       (a smaller model with the same vocabulary) or {@link dev.loupe.core.speculate.LookupDrafter} (prompt lookup:
 *       what followed the last matching n-gram of the context; no model at all).</li>
 *   <li>{@link dev.loupe.core.speculate.AcceptanceRule}: Leviathan et al.'s rejection sampling, which keeps the output
 *       distribution exactly the target's; under greedy decoding it reduces to "keep while the guess is the argmax", so
 *       the output equals plain greedy decoding token for token.</li>
 * </ul>
 */
package dev.loupe.core.speculate;
