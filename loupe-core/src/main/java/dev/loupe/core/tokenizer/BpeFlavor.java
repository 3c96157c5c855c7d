package dev.loupe.core.tokenizer;

import dev.loupe.core.LoupeException;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What {@code tokenizer.ggml.pre} selects for a byte-level BPE model, per llama.cpp's loader: the
 * pre-tokenizer chain and the flags that come with it.
 *
 * @param ignoreMerges a word that is itself a token is emitted whole, skipping merges (Llama 3)
 * @param cleanSpaces  decoding removes the space before ?!., and some contractions (clean_up_tokenization_spaces)
 * @param addBos       the default for add_bos before {@code tokenizer.ggml.add_bos_token} is read
 * @param noBos        no default BOS id (ChatGLM); metadata may still name one
 */
record BpeFlavor(PreTokenizer preTokenizer, boolean ignoreMerges, boolean cleanSpaces, boolean addBos, boolean noBos) {

    private static final Set<String> LLAMA3 = Set.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral",
            "midm-2.0", "lfm2", "jina-v5-nano");
    private static final Set<String> GPT2 = Set.of("gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
            "a.x-4.0", "mellum", "modern-bert", "mpt", "olmo", "jais", "exaone4", "trillion", "granite-docling");
    private static final Set<String> QWEN2 = Set.of("qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open");
    private static final Set<String> STARCODER = Set.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone",
            "minerva-7b", "mellum2");
    /** Pre-tokenizers whose decode keeps spaces before punctuation (clean_spaces = false in llama.cpp). */
    private static final Set<String> NO_CLEAN = Set.of("qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open",
            "command-r", "smollm", "trillion", "granite-docling");

    /** The flavor for a {@code tokenizer.ggml.pre} value; null or empty means llama.cpp's "default". */
    static BpeFlavor forName(String pre) {
        String name = pre == null || pre.isEmpty() ? "default" : pre;
        boolean clean = !NO_CLEAN.contains(name);
        if (name.equals("default")) {
            return of(clean, false, false, false, regex("[\\p{P}\\$\\+<=>\\^~\\|]+"), Gpt2Splitter::new,
                    regex("\\p{N}+"), regex("[0-9][0-9][0-9]"));
        }
        if (LLAMA3.contains(name)) return of(clean, true, true, false, () -> new Llama3Splitter(3));
        if (name.equals("dbrx") || name.equals("smaug-bpe")) return of(clean, false, false, false, () -> new Llama3Splitter(3));
        if (name.equals("chatglm-bpe") || name.equals("glm4")) return of(clean, false, false, true, () -> new Llama3Splitter(3));
        if (QWEN2.contains(name) || name.equals("stablelm2") || name.equals("megrez")) {
            return of(clean, false, false, false, () -> new Llama3Splitter(1));
        }
        if (GPT2.contains(name)) return of(clean, false, false, false, Gpt2Splitter::new);
        if (STARCODER.contains(name)) return of(clean, false, false, false, regex("\\p{N}"), Gpt2Splitter::new);
        if (name.equals("falcon")) {
            return of(clean, false, false, false, regex("[\\p{P}\\$\\+<=>\\^~\\|`]+"), Gpt2Splitter::new, regex("[0-9][0-9][0-9]"));
        }
        throw new LoupeException("unsupported pre-tokenizer '" + name + "' (tokenizer.ggml.pre)");
    }

    private static Supplier<WordSplitter> regex(String regex) {
        RegexSplitter splitter = new RegexSplitter(regex); // stateless: compile once, share
        return () -> splitter;
    }

    @SafeVarargs
    private static BpeFlavor of(boolean clean, boolean ignoreMerges, boolean addBos, boolean noBos, Supplier<WordSplitter>... steps) {
        return new BpeFlavor(new PreTokenizer(List.of(steps)), ignoreMerges, clean, addBos, noBos);
    }
}
