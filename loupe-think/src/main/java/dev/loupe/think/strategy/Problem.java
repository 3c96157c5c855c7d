package dev.loupe.think.strategy;

import dev.loupe.sandbox.Language;

/**
 * One task to solve.
 *
 * @param prompt   the raw prompt the model continues
 * @param answer   the reference answer, used only to grade (never by a strategy); null when unknown
 * @param tests    for code tasks: test code appended after the candidate program (asserts; non-zero exit = fail)
 * @param language for code tasks: the language the program and tests are in
 */
public record Problem(String id, String prompt, String answer, String tests, Language language) {

    public static Problem math(String id, String prompt, String answer) {
        return new Problem(id, prompt, answer, null, null);
    }

    public boolean isCode() {
        return tests != null;
    }
}
