package dev.loupe.think;

import dev.loupe.think.answer.AnswerExtractor;
import dev.loupe.think.answer.Answers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AnswersTest {
    final AnswerExtractor math = new AnswerExtractor.Math();

    @Test
    void extractsBoxedHashesAnswerIsAndLastNumber() {
        assertThat(math.extract("so x = \\boxed{\\frac{1}{2}} and also \\boxed{7}")).isEqualTo("7");
        assertThat(math.extract("thus \\boxed{\\frac{3}{4}}.")).isEqualTo("\\frac{3}{4}");
        assertThat(math.extract("She pays 3*4=12 dollars.\n#### 1,234")).isEqualTo("1,234");
        assertThat(math.extract("The answer is $18.50. Then 4 more")).isEqualTo("18.50");
        assertThat(math.extract("23+45=68;68+17=85;A85")).isEqualTo("85");
        assertThat(math.extract("we get 3 apples and 2/3 of a pie")).isEqualTo("2/3");
        assertThat(math.extract("no digits here")).isNull();
    }

    @Test
    void comparesNumbersByExactValue() {
        assertThat(Answers.equivalent("0.5", "1/2")).isTrue();
        assertThat(Answers.equivalent("\\frac{2}{4}", "0.50")).isTrue();
        assertThat(Answers.equivalent("-\\frac{1}{3}", "-1/3")).isTrue();
        assertThat(Answers.equivalent("1,000", "1000.")).isTrue();
        assertThat(Answers.equivalent("$12", "12.00")).isTrue();
        assertThat(Answers.equivalent("0.333", "1/3")).isFalse();   // exact, not approximate
        assertThat(Answers.equivalent("Paris", " paris ")).isTrue();
        assertThat(Answers.equivalent("85", null)).isFalse();
        assertThat(Answers.key("6/4")).isEqualTo("3/2");
        assertThat(Answers.key("3/-6")).isEqualTo("-1/2");
    }

    @Test
    void regexExtractorTakesTheLastMatchOfItsGroup() {
        var r = new AnswerExtractor.Regex("Answer: ([A-D])");
        assertThat(r.extract("Answer: B ... on reflection Answer: C")).isEqualTo("C");
        assertThat(r.extract("nothing")).isNull();
    }
}
