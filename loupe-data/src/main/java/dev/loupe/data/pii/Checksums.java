package dev.loupe.data.pii;

import java.math.BigInteger;

/** The check digits that tell a real card or IBAN from a number that merely looks like one. */
public final class Checksums {
    private Checksums() {}

    /** Luhn (ISO/IEC 7812-1) over a string of digits. */
    public static boolean luhn(String digits) {
        int sum = 0;
        boolean dbl = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (d < 0 || d > 9) return false;
            if (dbl) {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    /** ISO 13616 IBAN check: move the first four characters to the end, letters to 10..35, mod 97 must be 1. */
    public static boolean iban(String iban) {
        String s = iban.replace(" ", "");
        if (s.length() < 15 || s.length() > 34) return false;
        String r = s.substring(4) + s.substring(0, 4);
        StringBuilder num = new StringBuilder();
        for (char c : r.toCharArray()) {
            if (c >= '0' && c <= '9') num.append(c);
            else if (c >= 'A' && c <= 'Z') num.append(c - 'A' + 10);
            else return false;
        }
        return new BigInteger(num.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
    }

    /** Shannon entropy in bits per character; random keys are high, words and repeated characters low. */
    public static double entropy(String s) {
        int[] counts = new int[128];
        int other = 0;
        for (char c : s.toCharArray()) {
            if (c < 128) counts[c]++;
            else other++;
        }
        double h = 0;
        for (int n : counts) if (n > 0) h -= (double) n / s.length() * (Math.log((double) n / s.length()) / Math.log(2));
        if (other > 0) h -= (double) other / s.length() * (Math.log((double) other / s.length()) / Math.log(2));
        return h;
    }
}
