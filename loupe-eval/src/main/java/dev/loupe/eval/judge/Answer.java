package dev.loupe.eval.judge;

/**
 * A candidate's answer to a question, as the judge sees it. {@code label} is an optional reference verdict.
 * {@code question2}/{@code answer2} are MT-Bench's second turn (null for single-turn answers); the second answer was
 * generated with the first question and answer in its prompt.
 */
public record Answer(String id, String question, String answer, String model, String label, String question2, String answer2) {
    public Answer(String id, String question, String answer, String model, String label) {
        this(id, question, answer, model, label, null, null);
    }
}
