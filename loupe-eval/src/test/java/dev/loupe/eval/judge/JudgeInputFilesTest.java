package dev.loupe.eval.judge;

import dev.loupe.core.LoupeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The judge's JSONL inputs: rows read as written, blank lines skipped, bad rows named by file and line. */
class JudgeInputFilesTest {
    @TempDir
    Path dir;

    @Test
    void answersAreReadWithLineNumbersAsDefaultIds() throws Exception {
        Path f = Files.writeString(dir.resolve("a.jsonl"),
                "{\"question\":\"2+2?\",\"answer\":\"4\"}\n\n{\"id\":\"q7\",\"question\":\"3+3?\",\"answer\":\"6\",\"label\":\"good\"}\n");
        List<Answer> answers = AnswerFiles.read(f);
        assertThat(answers).extracting(Answer::id).containsExactly("1", "q7");
        assertThat(answers).extracting(Answer::answer).containsExactly("4", "6");
    }

    @Test
    void aLineThatIsNotJsonIsNamed() throws Exception {
        Path f = Files.writeString(dir.resolve("a.jsonl"), "{\"question\":\"q\",\"answer\":\"a\"}\n{oops\n");
        assertThatThrownBy(() -> AnswerFiles.read(f)).isInstanceOf(LoupeException.class).hasMessage(f + " line 2: not JSON");
    }

    @Test
    void referencesMapQuestionIdsToTurnsAndNameABadRow() throws Exception {
        Path good = Files.writeString(dir.resolve("r.jsonl"),
                "{\"question_id\":81,\"choices\":[{\"turns\":[\"first\",\"second\"]}]}\n");
        assertThat(References.load(good)).isEqualTo(Map.of("81", List.of("first", "second")));
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "\n{\"choices\":[]}\n");
        assertThatThrownBy(() -> References.load(bad)).isInstanceOf(LoupeException.class)
                .hasMessage(bad + " line 2: needs question_id and choices[0].turns[0]");
    }
}
