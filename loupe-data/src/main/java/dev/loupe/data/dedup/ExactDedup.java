package dev.loupe.data.dedup;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.GlobalStep;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Exact dedup on normalized text (lowercased, punctuation dropped, whitespace collapsed): of documents with the
 * same 128-bit hash, the first in input order stays. 128 bits make an accidental collision negligible at any
 * corpus size.
 */
public record ExactDedup(String name) implements GlobalStep<ExactDedup.Hash128> {
    public record Hash128(long hi, long lo) implements java.io.Serializable {}

    public ExactDedup {
        name = name == null ? "exact_dedup" : name;
    }

    @Override
    public Hash128 signature(Document doc) {
        try {
            byte[] d = MessageDigest.getInstance("MD5").digest(Hashing.normalize(doc.text()).getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.wrap(d);
            return new Hash128(b.getLong(), b.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public DocStep plan(List<Signed<Hash128>> sigs, Counters c) {
        Set<Hash128> seen = new HashSet<>();
        Set<DocKey> drop = new HashSet<>();
        for (Signed<Hash128> s : sigs) if (!seen.add(s.signature())) drop.add(s.key());
        c.add("duplicates", drop.size());
        return new DropKeys(name, "exact_duplicate", drop);
    }
}
