package dev.loupe.core.sample;

import java.util.List;

/**
 * Finds stop strings in streamed text. Text is released as soon as it can no longer be the start of a stop string;
 * a possible partial match at the end of a chunk is held back until the next chunk settles it. When a stop string
 * completes, the text before it is released and the matcher is finished; the stop string itself is never emitted.
 */
public final class StopMatcher {
    /**
     * What one chunk produced.
     *
     * @param text safe to show now (possibly empty)
     * @param stop the stop string that completed, or null
     */
    public record Step(String text, String stop) {
        public boolean stopped() {
            return stop != null;
        }
    }

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean finished;

    public StopMatcher(List<String> stops) {
        this.stops = List.copyOf(stops);
        for (String s : this.stops) if (s.isEmpty()) throw new IllegalArgumentException("empty stop string");
    }

    public boolean finished() {
        return finished;
    }

    public Step append(String chunk) {
        if (finished) return new Step("", null);
        held.append(chunk);
        int at = -1;
        String hit = null;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                hit = s;
            }
        }
        if (hit != null) {
            finished = true;
            String text = held.substring(0, at);
            held.setLength(0);
            return new Step(text, hit);
        }
        int keep = longestPartialSuffix(held.toString());
        String text = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Step(text, null);
    }

    /** At the end of generation, whatever was held back for a stop string that never completed. */
    public String flush() {
        String text = finished ? "" : held.toString();
        held.setLength(0);
        return text;
    }

    /** Length of the longest suffix of the held text that is a proper prefix of some stop string. */
    private int longestPartialSuffix(String text) {
        int best = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, text.length()); len > best; len--) {
                if (text.regionMatches(text.length() - len, s, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
