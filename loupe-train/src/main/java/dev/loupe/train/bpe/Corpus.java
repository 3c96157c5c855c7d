package dev.loupe.train.bpe;

import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a training corpus: strict UTF-8 (a byte-level model would happily learn mojibake, so refuse it early). */
public final class Corpus {
    private Corpus() {}

    public static String read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new LoupeException("cannot read corpus " + file + ": " + e.getMessage());
        }
        return decode(bytes, file.toString());
    }

    public static String decode(byte[] bytes, String name) {
        if (bytes.length == 0) throw new LoupeException("corpus " + name + " is empty");
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            CharBuffer out = d.decode(in);
            return out.toString();
        } catch (MalformedInputException e) {
            throw new LoupeException("corpus " + name + " is not UTF-8 (invalid byte sequence near byte " + in.position() + ")");
        } catch (CharacterCodingException e) {
            throw new LoupeException("corpus " + name + " is not UTF-8: " + e.getMessage());
        }
    }
}
