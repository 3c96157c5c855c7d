package dev.loupe.core.speculate;

import java.util.SplittableRandom;

/**
 * Decides whether the target keeps a drafted token. Exists as a seam so the statistical test can show that its check
 * catches a wrong rule; the only production rule is {@link #LEVIATHAN}.
 */
interface AcceptanceRule {

    /**
     * @param x       the drafted token
     * @param p       the target's final distribution at this position (vocabulary-sized)
     * @param q       the distribution x was drawn from, or null when the drafter was deterministic (q one-hot on x)
     * @param scratch vocabulary-sized work space
     * @return -1 to keep x, else the token to emit in its place (after which the round ends)
     */
    int verify(int x, float[] p, float[] q, int vocab, SplittableRandom random, float[] scratch);

    /**
     * Leviathan et al. 2023 (also Chen et al. 2023): keep x with probability min(1, p(x)/q(x)); otherwise draw from
     * the residual norm(max(0, p - q)). Whatever q is, the emitted token is distributed exactly as p: P(x kept) is
     * min(p, q)(x), and the residual carries the rest, p - min(p, q), normalized by what rejection leaves,
     * 1 - sum min(p, q).
     */
    AcceptanceRule LEVIATHAN = (x, p, q, vocab, random, scratch) -> {
        double qx = q == null ? 1.0 : q[x];
        double px = p[x];
        if (px >= qx || random.nextDouble() * qx < px) return -1;
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            float qi = q == null ? (i == x ? 1f : 0f) : q[i];
            float r = Math.max(0f, p[i] - qi);
            scratch[i] = r;
            total += r;
        }
        // p == q up to rounding: rejection had probability ~0 and the residual is empty; p itself is then the answer.
        if (total <= 0) return Categorical.draw(p, vocab, random);
        return Categorical.draw(scratch, vocab, total, random);
    };
}
