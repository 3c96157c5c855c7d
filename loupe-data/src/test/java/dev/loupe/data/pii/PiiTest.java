package dev.loupe.data.pii;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PiiTest {
    final PiiDetector d = new PiiDetector();

    String redact(String s) {
        return d.redact(s, new EnumMap<>(PiiKind.class));
    }

    @Test
    void replacesEachKindWithItsPlaceholderAndCounts() {
        Map<PiiKind, Integer> n = new EnumMap<>(PiiKind.class);
        String out = d.redact("""
                Mail jane.doe+news@example.co.uk or bob@mail.example.org.
                Call +1 415 555 0134, (415) 555-0134 or 030 1234 5678.
                Server 192.168.10.20 and 2001:db8:85a3::8a2e:370:7334 and fe80:0:0:0:202:b3ff:fe1e:8329.
                Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32.
                aws AKIAIOSFODNN7EXAMPLE gh ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 api_key=9f8XkQ2vLm3Zr7TpWq4s
                """, n);
        assertThat(out).isEqualTo("""
                Mail <EMAIL> or <EMAIL>.
                Call <PHONE>, <PHONE> or <PHONE>.
                Server <IPV4> and <IPV6> and <IPV6>.
                Card <CREDIT_CARD>, IBAN <IBAN>.
                aws <SECRET> gh <SECRET> api_key=<SECRET>
                """);
        assertThat(n).containsEntry(PiiKind.EMAIL, 2).containsEntry(PiiKind.PHONE, 3).containsEntry(PiiKind.IPV4, 1)
                .containsEntry(PiiKind.IPV6, 2).containsEntry(PiiKind.CREDIT_CARD, 1).containsEntry(PiiKind.IBAN, 1)
                .containsEntry(PiiKind.SECRET, 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Released as version 2.10.3 in 2021.",
            "Build 10.0.19041.1 is current.",
            "Dated 2023-01-15 and 15/01/2023 and 01.02.2023.",
            "ISBN 978-0-306-40615-7 and ISBN 0-306-40615-2.",
            "The meeting is at 12:30:45 today.",
            "Use std::vector and a::b in C++.",
            "A population of 1 000 000 people.",
            "Card 4111 1111 1111 1112 fails Luhn.",
            "IBAN GB82 WEST 1234 5698 7654 33 fails mod 97.",
            "password=aaaaaaaaaaaaaaaaaaaa is not random.",
            "The key=value pairs are configuration_settings_for_the_app here.",
    })
    void leavesLookAlikesAlone(String s) {
        assertThat(redact(s)).isEqualTo(s);
    }

    @Test
    void checksums() {
        assertThat(Checksums.luhn("4111111111111111")).isTrue();
        assertThat(Checksums.luhn("4111111111111112")).isFalse();
        assertThat(Checksums.iban("DE89370400440532013000")).isTrue();
        assertThat(Checksums.iban("DE89370400440532013001")).isFalse();
    }
}
