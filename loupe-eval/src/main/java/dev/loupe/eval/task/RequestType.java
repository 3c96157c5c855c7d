package dev.loupe.eval.task;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;

/** lm-evaluation-harness's request kinds (lm_eval/api/instance.py OutputType). */
public enum RequestType {
    /** One log-likelihood per choice; the best choice is the prediction (the harness's "multiple_choice"). */
    @JsonProperty("loglikelihood") @JsonAlias("multiple_choice") LOGLIKELIHOOD("loglikelihood"),
    /** Log-likelihood of a whole document with nothing but BOS before it: perplexities. */
    @JsonProperty("loglikelihood_rolling") LOGLIKELIHOOD_ROLLING("loglikelihood_rolling"),
    /** Free generation until a stop string; the answer is extracted and compared. */
    @JsonProperty("generate_until") GENERATE_UNTIL("generate_until");

    private final String wire;

    RequestType(String wire) {
        this.wire = wire;
    }

    public String wireName() {
        return wire;
    }
}
