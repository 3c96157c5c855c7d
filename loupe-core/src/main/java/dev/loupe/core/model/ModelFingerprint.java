package dev.loupe.core.model;

import dev.loupe.core.gguf.GgufFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What a saved KV cache was computed with, as 32 bytes: a SHA-256 of the GGUF file's header (metadata and tensor
 * table: every byte before the tensor data), its size, the RoPE scaling the model runs with, and a caller's
 * {@code runKey} naming anything else that changes keys and values (LoRA adapters, steering). Hashing the header
 * rather than the weights keeps this to milliseconds for a multi-gigabyte file; two files that differ only inside
 * their tensor data with the same names, shapes, offsets and size would collide, which is why the size is in it and
 * why this guards against mistakes (another model, another quantization, a re-export), not against forgery.
 */
public record ModelFingerprint(byte[] sha256) {
    public static final int BYTES = 32;

    public ModelFingerprint {
        if (sha256.length != BYTES) throw new IllegalArgumentException("a fingerprint is " + BYTES + " bytes");
        sha256 = sha256.clone();
    }

    /** The fingerprint of {@code model} as loaded (its RoPE scaling included) plus {@code runKey} (may be empty). */
    public static ModelFingerprint of(Model model, String runKey) {
        GgufFile f = model.file();
        MessageDigest d = newDigest();
        d.update(f.segment().asSlice(0, Math.min(f.dataOffset(), f.fileSize())).asByteBuffer());
        ByteBuffer size = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, f.fileSize());
        d.update(size);
        d.update(model.config().ropeScaling().toString().getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(runKey.getBytes(StandardCharsets.UTF_8));
        return new ModelFingerprint(d.digest());
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    boolean matches(byte[] other) {
        return MessageDigest.isEqual(sha256, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelFingerprint m && Arrays.equals(sha256, m.sha256);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(sha256, 0, 8);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
