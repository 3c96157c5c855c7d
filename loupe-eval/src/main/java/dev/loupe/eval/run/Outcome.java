package dev.loupe.eval.run;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.loupe.eval.metric.Item;

import java.util.List;
import java.util.Map;

/** What one row produced, per request type; serialized as is into samples.jsonl, tagged with its request type. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Outcome.Choice.class, name = "loglikelihood"),
        @JsonSubTypes.Type(value = Outcome.Rolling.class, name = "loglikelihood_rolling"),
        @JsonSubTypes.Type(value = Outcome.Generated.class, name = "generate_until"),
        @JsonSubTypes.Type(value = Outcome.Conversation.class, name = "generate_until_turns"),
        @JsonSubTypes.Type(value = Outcome.Executed.class, name = "generate_until_executed")})
public sealed interface Outcome {

    /** Per-metric contributions of this row, keyed by metric id. */
    Map<String, Item> metrics();

    /**
     * A multiple-choice row.
     * @param logProbs  summed log-likelihood of each " choice" continuation
     * @param pred      argmax of logProbs; {@code predNorm} argmax of logProbs / len(choice)
     */
    record Choice(String context, List<String> choices, List<Double> logProbs, List<Boolean> greedy, List<Integer> tokens,
                  int gold, int pred, int predNorm, Map<String, Item> metrics) implements Outcome {}

    /** A document scored whole: its log-likelihood and the counts the weighted metrics divide by. */
    record Rolling(String document, double logProb, int tokens, int words, int bytes, Map<String, Item> metrics) implements Outcome {}

    /** A generated answer; {@code answer} and {@code reference} are after extraction (null: nothing extracted). */
    record Generated(String prompt, String output, String answer, String reference, Boolean match, Map<String, Item> metrics) implements Outcome {}

    /**
     * A multi-turn row (MT-Bench): {@code turns.get(i)} is what turn i added to the prompt (turn 0: the whole first
     * prompt), {@code outputs.get(i)} the answer; turn i's prompt is every earlier turn and answer, then turns[i].
     */
    record Conversation(List<String> turns, List<String> outputs, Map<String, Item> metrics) implements Outcome {}

    /**
     * A code row: n samples, each run as a program; {@code details} says why a failing one failed.
     * @param correct how many passed (the c of pass@k)
     */
    record Executed(String prompt, List<String> outputs, List<Boolean> passed, List<String> details, int correct,
                    Map<String, Item> metrics) implements Outcome {}
}
