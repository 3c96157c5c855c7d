package dev.loupe.core.tokenizer;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufStrings;
import dev.loupe.core.gguf.Metadata;
import java.util.List;

/** {@code tokenizer.ggml.model = gpt2}: byte-level BPE with merges and a pre-tokenizer chosen by {@code tokenizer.ggml.pre}. */
final class BpeTokenizer extends BaseTokenizer {
    private final BpeEncoder encoder;

    private BpeTokenizer(Vocab vocab, BpeFlavor flavor, GgufStrings merges, boolean addSpacePrefix) {
        super(vocab, addSpacePrefix, flavor.cleanSpaces());
        this.encoder = new BpeEncoder(vocab, flavor, merges);
    }

    static BpeTokenizer create(Metadata md) {
        BpeFlavor flavor = BpeFlavor.forName(md.getString("tokenizer.ggml.pre", null));
        String mergesKey = "tokenizer.ggml.merges";
        if (!md.has(mergesKey)) throw new LoupeException("the BPE tokenizer has no merges (metadata '" + mergesKey + "' is missing)");
        int[] defaults = VocabLoader.noSpecials();
        defaults[SpecialToken.BOS.ordinal()] = flavor.noBos() ? -1 : 11; // llama.cpp's GPT-2 defaults
        defaults[SpecialToken.EOS.ordinal()] = 11;
        Vocab vocab = VocabLoader.load(md, defaults, flavor.addBos(), false);
        return new BpeTokenizer(vocab, flavor, md.getStrings(mergesKey), md.getBool("tokenizer.ggml.add_space_prefix", false));
    }

    @Override
    public Kind kind() {
        return Kind.BPE;
    }

    @Override
    protected void encodeFragments(List<Fragment> fragments, IntList out) {
        for (Fragment f : fragments) {
            switch (f) {
                case Fragment.Text(String text) -> encoder.encode(text, out);
                case Fragment.Token(int id) -> out.add(id);
            }
        }
    }

    @Override
    protected byte[] normalBytes(String text) {
        return ByteUnicode.decode(text);
    }
}
