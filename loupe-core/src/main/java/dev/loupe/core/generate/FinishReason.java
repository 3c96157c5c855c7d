package dev.loupe.core.generate;

/** Why generation ended, named as the OpenAI API names them where it has a name. */
public enum FinishReason {
    /** The model produced an end-of-generation token, or a stop string appeared. */
    STOP,
    /** The token limit or the context size was reached. */
    LENGTH
}
