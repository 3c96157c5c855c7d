package dev.loupe.core.sample.constrain;

/**
 * Where a partial output stands against a byte-level grammar that constrained decoding steers: a JSON value
 * ({@link JsonState}) or a whole reply that may mix free text with structured parts ({@link ReplyGrammar.State}).
 * States are immutable values (equal states hash alike), so {@link ConstraintVocab} can cache the tokens each allows.
 */
public sealed interface GrammarState permits JsonState, ReplyGrammar.State {

    /** The state after byte {@code b} (0-255), or null if no valid output continues with it. */
    GrammarState feed(int b);

    /** Feeds every byte; null as soon as one is refused. */
    default GrammarState feed(byte[] bytes) {
        GrammarState s = this;
        for (int i = 0; i < bytes.length && s != null; i++) s = s.feed(bytes[i] & 0xFF);
        return s;
    }

    /**
     * The state after a control token that stands for {@code text} as a whole (a chat format's marker such as
     * Mistral's {@code [TOOL_CALLS]}, which the detokenizer does not print), or null where no such marker may come.
     * Spelling the marker's text in ordinary tokens is a different thing: that goes through {@link #feed(int)}.
     */
    default GrammarState feedSpecial(String text) {
        return null;
    }

    /** The fewest bytes that complete the output (0 when it may end here). */
    int cost();

    /** Whether the output may end here. */
    default boolean complete() {
        return cost() == 0;
    }

    /** Whether the output is complete and no byte can follow, so generation can end without an end token. */
    boolean closed();
}
