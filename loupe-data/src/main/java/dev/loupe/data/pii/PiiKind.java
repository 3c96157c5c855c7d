package dev.loupe.data.pii;

/** The kinds of personal data and secrets found, each with the placeholder that replaces it. */
public enum PiiKind {
    SECRET, EMAIL, IBAN, CREDIT_CARD, IPV6, IPV4, PHONE;

    public String placeholder() {
        return "<" + name() + ">";
    }
}
