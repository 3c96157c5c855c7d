package dev.loupe.core.model;

/**
 * How RoPE pairs the dimensions of a head. NORMAL rotates adjacent pairs (2i, 2i+1), which is what
 * llama.cpp's converter produces for Llama by permuting Q and K; NEOX rotates (i, i + d/2), as HF
 * checkpoints of Qwen, Gemma and Phi-3 store them.
 */
public enum RopeStyle { NORMAL, NEOX }
