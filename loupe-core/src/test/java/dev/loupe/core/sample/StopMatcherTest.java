package dev.loupe.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {
    @Test
    void stopStringSplitAcrossChunksIsHeldBackThenCut() {
        var m = new StopMatcher(List.of("<|im_end|>"));
        assertEquals(new StopMatcher.Step("Hello", null), m.append("Hello<|im"));
        assertEquals(new StopMatcher.Step("", null), m.append("_e"));
        var last = m.append("nd|> trailing");
        assertTrue(last.stopped());
        assertEquals("", last.text());
        assertEquals("<|im_end|>", last.stop());
        assertTrue(m.finished());
        assertEquals("", m.append("more").text());
    }

    @Test
    void falseStartIsReleasedOnceItCannotMatch() {
        var m = new StopMatcher(List.of("STOP"));
        assertEquals("a ", m.append("a ST").text());
        var s = m.append("ART b");
        assertFalse(s.stopped());
        assertEquals("START b", s.text());
    }

    @Test
    void earliestStopWinsAndTextBeforeItIsEmitted() {
        var m = new StopMatcher(List.of("\n\n", "User:"));
        var s = m.append("answer User: x\n\n");
        assertEquals("answer ", s.text());
        assertEquals("User:", s.stop());
    }

    @Test
    void flushReleasesAnUnfinishedPartialMatch() {
        var m = new StopMatcher(List.of("</s>"));
        assertEquals("end", m.append("end</").text());
        assertEquals("</", m.flush());
    }

    @Test
    void overlappingPrefixesKeepTheLongestCandidate() {
        var m = new StopMatcher(List.of("abc", "bcd"));
        assertEquals("x", m.append("xab").text()); // "ab" could start "abc"
        var s = m.append("cd");
        assertEquals("abc", s.stop());
        assertEquals("", s.text());
    }

    @Test
    void noStopsPassesEverythingThrough() {
        var m = new StopMatcher(List.of());
        assertEquals("anything", m.append("anything").text());
    }
}
