package dev.loupe.core.tokenizer;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.Metadata;

/**
 * Text to token ids and back, reproducing llama.cpp token for token. Built from a model's
 * {@code tokenizer.ggml.*} metadata; instances are immutable and safe to share between threads.
 */
public sealed interface Tokenizer permits BaseTokenizer {

    /** SentencePiece-style ({@code llama}) or byte-level BPE ({@code gpt2}). */
    enum Kind { SPM, BPE }

    /** Builds the tokenizer {@code tokenizer.ggml.model} names; anything else is a {@link LoupeException}. */
    static Tokenizer fromMetadata(Metadata md) {
        String key = "tokenizer.ggml.model";
        if (!md.has(key)) throw new LoupeException("the model has no tokenizer (metadata '" + key + "' is missing)");
        String model = md.getString(key);
        return switch (model) {
            case "llama" -> SpmTokenizer.create(md);
            case "gpt2" -> BpeTokenizer.create(md);
            default -> throw new LoupeException("unsupported tokenizer model '" + model + "' (supported: llama, gpt2)");
        };
    }

    Kind kind();

    /**
     * As llama_tokenize. {@code addSpecial}: add BOS/EOS where the model's add_bos/add_eos say so.
     * {@code parseSpecial}: control tokens written in the text (e.g. "<|eot_id|>") become their ids;
     * user-defined tokens are recognised either way, as in llama.cpp.
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The bytes token {@code id} stands for, as llama_token_to_piece with no lstrip: byte tokens give
     * their byte, ▁ becomes a space (SPM), byte-level spellings are undone (BPE). Control and unknown
     * tokens give nothing unless {@code renderSpecial}; user-defined tokens always give their text.
     */
    byte[] tokenBytes(int id, boolean renderSpecial);

    default byte[] tokenBytes(int id) {
        return tokenBytes(id, false);
    }

    /**
     * As llama_detokenize with remove_special=false: concatenates {@link #tokenBytes}, drops one
     * leading space of the first token when the model adds a space prefix (SPM), and applies
     * clean_up_tokenization_spaces where the model asks for it (GPT-2, Llama 3; not Qwen 2).
     * Bytes that are not valid UTF-8 become U+FFFD.
     */
    String decode(int[] ids, boolean renderSpecial);

    default String decode(int[] ids) {
        return decode(ids, false);
    }

    int vocabSize();

    /** The token's text as stored in the vocabulary (e.g. "▁Hello", "ĠHello", "<0x0A>"). */
    String piece(int id);

    float score(int id);

    /** {@link TokenAttr} bits of the token, after llama.cpp's load-time adjustments. */
    int attributes(int id);

    default boolean isControl(int id) {
        return (attributes(id) & TokenAttr.CONTROL) != 0;
    }

    default boolean isUserDefined(int id) {
        return (attributes(id) & TokenAttr.USER_DEFINED) != 0;
    }

    default boolean isByte(int id) {
        return (attributes(id) & TokenAttr.BYTE) != 0;
    }

    default boolean isUnknown(int id) {
        return (attributes(id) & TokenAttr.UNKNOWN) != 0;
    }

    default boolean isUnused(int id) {
        return (attributes(id) & TokenAttr.UNUSED) != 0;
    }

    default boolean isNormal(int id) {
        return (attributes(id) & TokenAttr.NORMAL) != 0;
    }

    /** The id playing {@code role}, or -1. */
    int specialToken(SpecialToken role);

    default int bos() {
        return specialToken(SpecialToken.BOS);
    }

    default int eos() {
        return specialToken(SpecialToken.EOS);
    }

    default int eot() {
        return specialToken(SpecialToken.EOT);
    }

    /** Whether generation stops at {@code id}: llama.cpp's EOG set (EOS, EOT, EOM, FIM pad/repo/sep, known end texts). */
    boolean isEndOfGeneration(int id);

    boolean addBos();

    boolean addEos();
}
