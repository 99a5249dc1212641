package jgrad.cli;

/** Counted nouns for messages: "1 epoch", "2 epochs", "1 pass", "3 passes". */
final class Words {
    private Words() {}

    /** {@code n} and the noun, with an "s" unless n is 1. */
    static String count(long n, String singular) {
        return count(n, singular, singular + "s");
    }

    static String count(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }
}
