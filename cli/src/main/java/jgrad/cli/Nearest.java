package jgrad.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** The did-you-mean hint for a mistyped name (an experiment, a command). */
final class Nearest {
    private Nearest() {}

    /**
     * The name closest to {@code typed}, where at most a third of it is wrong ("optimizer", "xr",
     * "trian"), else empty: "mnist" is not a typo of "init", nor "frobnicate" of "data".
     */
    static Optional<String> name(String typed, Collection<String> names) {
        return names.stream().min(Comparator.comparingInt(n -> distance(n, typed)))
                .filter(n -> distance(n, typed) <= Math.max(1, typed.length() / 3));
    }

    /**
     * Edits between two words, a swap of neighbours counting as one (optimal string alignment), so
     * "trian" is one edit from "train" as a person sees it.
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
