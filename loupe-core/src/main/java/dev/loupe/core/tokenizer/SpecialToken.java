package dev.loupe.core.tokenizer;

import java.util.List;

/**
 * The roles a token can play, with their GGUF keys and, for some, the token texts llama.cpp falls back
 * to when the key is absent (it detects EOT, EOM and FIM tokens by text).
 */
public enum SpecialToken {
    BOS(List.of("bos_token_id"), List.of()),
    EOS(List.of("eos_token_id"), List.of()),
    EOT(List.of("eot_token_id"), List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
            "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>")),
    EOM(List.of("eom_token_id"), List.of("<|eom_id|>")),
    UNK(List.of("unknown_token_id"), List.of()),
    SEP(List.of("seperator_token_id"), List.of()), // sic: llama.cpp's key is spelled this way
    PAD(List.of("padding_token_id"), List.of()),
    MASK(List.of("mask_token_id"), List.of()),
    FIM_PRE(List.of("fim_pre_token_id", "prefix_token_id"), List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>")),
    FIM_SUF(List.of("fim_suf_token_id", "suffix_token_id"), List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>")),
    FIM_MID(List.of("fim_mid_token_id", "middle_token_id"), List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>")),
    FIM_PAD(List.of("fim_pad_token_id"), List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]")),
    FIM_REP(List.of("fim_rep_token_id"), List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>")),
    FIM_SEP(List.of("fim_sep_token_id"), List.of("<|file_sep|>"));

    /** Keys under {@code tokenizer.ggml.}; later ones are deprecated spellings that override earlier ones. */
    final List<String> keys;
    /** Texts that identify the token when no key names it. */
    final List<String> knownTexts;

    SpecialToken(List<String> keys, List<String> knownTexts) {
        this.keys = keys;
        this.knownTexts = knownTexts;
    }
}
