package dev.loupe.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every llama.cpp test vector (parse_special=false, no BOS), for every fixture vocabulary. */
class TokenizerVectorsTest {
    static final List<String> NAMES = Vocabs.NAMES;

    @ParameterizedTest
    @FieldSource("NAMES")
    void encodesLikeLlamaCpp(String name) {
        Tokenizer tok = Vocabs.tokenizer(name);
        List<Vocabs.Vector> vectors = Vocabs.vectors(name);
        List<String> failures = new ArrayList<>();
        for (Vocabs.Vector v : vectors) {
            int[] got = tok.encode(v.text(), false, false);
            if (!Arrays.equals(got, v.ids())) {
                failures.add("#" + v.index() + " " + quote(v.text()) + "\n   expected " + Arrays.toString(v.ids()) + "\n   got      " + Arrays.toString(got));
            }
        }
        System.out.printf("[vectors] %s: %d/%d passed%n", name, vectors.size() - failures.size(), vectors.size());
        assertThat(failures).as(name).isEmpty();
    }

    static String quote(String s) {
        return "'" + s.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
