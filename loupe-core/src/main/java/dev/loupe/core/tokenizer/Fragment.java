package dev.loupe.core.tokenizer;

/** A piece of input after special-token splitting: either text still to tokenize, or one special token. */
sealed interface Fragment {
    record Text(String text) implements Fragment {}

    record Token(int id) implements Fragment {}
}
