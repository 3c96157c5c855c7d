package dev.loupe.train.finetune;

/**
 * Direct Preference Optimization (Rafailov et al. 2023) for one pair:
 * z = beta · ((log π(chosen) − log π_ref(chosen)) − (log π(rejected) − log π_ref(rejected))), loss = −log σ(z).
 * The log-probabilities are summed over the answer's tokens.
 */
public final class DpoLoss {
    private DpoLoss() {}

    public static double z(double beta, double policyChosen, double policyRejected, double refChosen, double refRejected) {
        return beta * ((policyChosen - refChosen) - (policyRejected - refRejected));
    }

    /** −log σ(z) = log(1 + e^−z), computed without overflow for large |z|. */
    public static double loss(double z) {
        return z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
    }

    /** d loss / d log π(chosen) = −beta · σ(−z); d loss / d log π(rejected) is its negative. */
    public static double dChosen(double beta, double z) {
        return -beta * sigmoid(-z);
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
