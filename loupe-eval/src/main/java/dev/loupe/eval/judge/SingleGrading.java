package dev.loupe.eval.judge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** MT-Bench single-answer grading: the judge rates each answer 1-10. */
public final class SingleGrading {
    public record Graded(String id, String model, double rating, String judgment) {}

    public record Summary(List<Graded> grades, double meanRating, int unparsed) {}

    private SingleGrading() {}

    public static Summary grade(Judge judge, JudgePrompt prompt, List<Answer> answers) {
        List<Graded> out = new ArrayList<>();
        double sum = 0;
        int ok = 0;
        for (Answer a : answers) {
            String j = judge.ask(prompt, a.id(), prompt.single(a));
            double r = Verdict.rating(j);
            if (!Double.isNaN(r)) { sum += r; ok++; }
            out.add(new Graded(a.id(), a.model(), r, j));
        }
        return new Summary(out, ok == 0 ? Double.NaN : sum / ok, answers.size() - ok);
    }
}
