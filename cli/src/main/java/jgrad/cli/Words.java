package jgrad.cli;

/** Words for messages: counted nouns ("1 epoch", "2 epochs", "3 passes") and numbers as a person writes them. */
final class Words {
    private Words() {}

    /** {@code n} and the noun, with an "s" unless n is 1. */
    static String count(long n, String singular) {
        return count(n, singular, singular + "s");
    }

    static String count(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }

    /**
     * A float as typed: 0.0001 (Java's own text is 1.0E-4), 0.1, 250; where that plain form runs past
     * ten characters, the short scientific one (1e30, 2.5e-12).
     */
    static String number(float x) {
        if (!Float.isFinite(x) || x == 0f) {
            return Float.toString(x);
        }
        String plain = new java.math.BigDecimal(Float.toString(x)).stripTrailingZeros().toPlainString();
        return plain.length() <= 10 ? plain : Float.toString(x).replace(".0E", "E").replace('E', 'e');
    }
}
