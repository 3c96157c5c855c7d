package dev.loupe.data.pii;

/**
 * RFC 4291 text syntax: eight hex groups, or fewer with one "::", optionally ending in an IPv4 address; and at
 * least one digit.
 */
final class Ipv6 {
    private Ipv6() {}

    static boolean valid(String s) {
        if (s.length() < 3) return false;
        // "a::b" or "dead::beef" parse as addresses but are far likelier C++ or prose; real ones carry digits
        if (s.chars().noneMatch(Character::isDigit)) return false;
        int dc = s.indexOf("::");
        if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) return false;
        int groups = 0;
        String[] parts = s.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) continue; // part of "::" (checked above) or a leading/trailing one
            if (i == parts.length - 1 && p.contains(".")) {
                if (!p.matches("(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)")) return false;
                groups += 2;
                continue;
            }
            if (p.length() > 4 || !p.matches("[0-9A-Fa-f]+")) return false;
            groups++;
        }
        if (dc < 0) return groups == 8 && !s.startsWith(":") && !s.endsWith(":");
        // a single ':' at either end is only allowed as part of "::"
        if ((s.startsWith(":") && !s.startsWith("::")) || (s.endsWith(":") && !s.endsWith("::"))) return false;
        return groups < 8 && groups >= 1;
    }
}
