package dev.loupe.core.tokenizer;

/**
 * One step of llama.cpp's pre-tokenization: refines a partition of the text's code points (given as
 * consecutive segment lengths) into a finer one. A segment boundary is never crossed, exactly as
 * unicode_regex_split applies each regex to each earlier piece separately.
 */
interface WordSplitter {
    IntList split(int[] cpts, IntList segments);
}
