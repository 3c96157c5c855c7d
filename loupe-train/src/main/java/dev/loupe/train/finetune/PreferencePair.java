package dev.loupe.train.finetune;

/** One DPO example: the same prompt answered well ({@code chosen}) and badly ({@code rejected}). */
public record PreferencePair(MaskedSequence chosen, MaskedSequence rejected) {}
