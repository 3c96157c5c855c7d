package dev.loupe.core.tokenizer;

import dev.loupe.core.gguf.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code tokenizer.ggml.model = llama}: SentencePiece BPE over text with spaces escaped to ▁. Each text
 * fragment that starts the input or follows a special token gets a leading space first (add_space_prefix),
 * as llama.cpp does; decoding drops it again from the first token.
 */
final class SpmTokenizer extends BaseTokenizer {
    private static final char SPACE_MARK = '\u2581';

    private final SpmEncoder encoder;

    private SpmTokenizer(Vocab vocab, boolean addSpacePrefix) {
        super(vocab, addSpacePrefix, false);
        this.encoder = new SpmEncoder(vocab);
    }

    static SpmTokenizer create(Metadata md) {
        int[] defaults = VocabLoader.noSpecials();
        defaults[SpecialToken.BOS.ordinal()] = 1;
        defaults[SpecialToken.EOS.ordinal()] = 2;
        defaults[SpecialToken.UNK.ordinal()] = 0;
        Vocab vocab = VocabLoader.load(md, defaults, true, false);
        return new SpmTokenizer(vocab, md.getBool("tokenizer.ggml.add_space_prefix", true));
    }

    @Override
    public Kind kind() {
        return Kind.SPM;
    }

    @Override
    protected void encodeFragments(List<Fragment> fragments, IntList out) {
        boolean prevSpecial = true; // the start of the input counts as "after a special token"
        for (Fragment f : fragments) {
            switch (f) {
                case Fragment.Text(String text) -> {
                    String t = addSpacePrefix() && prevSpecial ? " " + text : text;
                    encoder.encode(t.replace(' ', SPACE_MARK), out);
                    prevSpecial = false;
                }
                case Fragment.Token(int id) -> {
                    out.add(id);
                    prevSpecial = true;
                }
            }
        }
    }

    @Override
    protected byte[] normalBytes(String text) {
        return text.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }
}
