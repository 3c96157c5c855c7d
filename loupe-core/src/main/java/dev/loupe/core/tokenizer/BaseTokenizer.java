package dev.loupe.core.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * What SPM and BPE share: the vocabulary, special-token splitting, BOS/EOS, rendering of non-normal
 * tokens, and detokenization. Subclasses encode plain text and render normal tokens.
 */
abstract sealed class BaseTokenizer implements Tokenizer permits SpmTokenizer, BpeTokenizer {
    protected final Vocab vocab;
    private final SpecialTokenSplitter splitter;
    private final boolean addSpacePrefix;
    private final boolean cleanSpaces;

    BaseTokenizer(Vocab vocab, boolean addSpacePrefix, boolean cleanSpaces) {
        this.vocab = vocab;
        this.splitter = new SpecialTokenSplitter(vocab);
        this.addSpacePrefix = addSpacePrefix;
        this.cleanSpaces = cleanSpaces;
    }

    /** Tokenizes the fragments (text and already-recognised special tokens) into {@code out}. */
    protected abstract void encodeFragments(List<Fragment> fragments, IntList out);

    /** The bytes of a NORMAL token. */
    protected abstract byte[] normalBytes(String text);

    protected final boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    @Override
    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        IntList out = new IntList();
        if (addSpecial && vocab.addBos) out.add(requireSpecial(SpecialToken.BOS));
        encodeFragments(splitter.split(text, parseSpecial), out);
        if (addSpecial && vocab.addEos) out.add(requireSpecial(SpecialToken.EOS));
        return out.toArray();
    }

    private int requireSpecial(SpecialToken role) {
        int id = vocab.special(role);
        if (id < 0) throw new IllegalStateException("the model asks for a " + role + " token but has none");
        return id;
    }

    @Override
    public final byte[] tokenBytes(int id, boolean renderSpecial) {
        checkId(id);
        int attr = vocab.attrs[id];
        if (!renderSpecial && (attr & (TokenAttr.UNKNOWN | TokenAttr.CONTROL)) != 0) return new byte[0];
        String text = vocab.text(id);
        if ((attr & (TokenAttr.UNKNOWN | TokenAttr.CONTROL | TokenAttr.USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & TokenAttr.NORMAL) != 0) return normalBytes(text);
        if ((attr & TokenAttr.BYTE) != 0) return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
        return new byte[0]; // unused and undefined tokens render as nothing, like control tokens
    }

    @Override
    public final String decode(int[] ids, boolean renderSpecial) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean removeSpace = addSpacePrefix;
        for (int id : ids) {
            byte[] piece = tokenBytes(id, renderSpecial);
            int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            buf.write(piece, skip, piece.length - skip);
            removeSpace = false;
        }
        byte[] bytes = buf.toByteArray();
        int n = cleanSpaces ? SpaceCleaner.clean(bytes, bytes.length) : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public final int vocabSize() {
        return vocab.size();
    }

    @Override
    public final String piece(int id) {
        checkId(id);
        return vocab.text(id);
    }

    @Override
    public final float score(int id) {
        checkId(id);
        return vocab.scores[id];
    }

    @Override
    public final int attributes(int id) {
        checkId(id);
        return vocab.attrs[id];
    }

    @Override
    public final int specialToken(SpecialToken role) {
        return vocab.special(role);
    }

    @Override
    public final boolean isEndOfGeneration(int id) {
        return vocab.isEog(id);
    }

    @Override
    public final boolean addBos() {
        return vocab.addBos;
    }

    @Override
    public final boolean addEos() {
        return vocab.addEos;
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.size()) throw new IndexOutOfBoundsException("token id " + id + " outside vocabulary of " + vocab.size());
    }
}
