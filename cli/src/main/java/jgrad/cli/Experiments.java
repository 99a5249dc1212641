package jgrad.cli;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The experiments {@code jgrad experiment} knows, in the order --help lists them. */
final class Experiments {
    static final List<Experiment> ALL = List.of(new XorExperiment(), new IrisExperiment(), new GdExperiment(),
            new OptimizersExperiment(), new InitExperiment(), new BatchNormExperiment(), new OverfitExperiment(),
            new HyperparamsExperiment(), new FiltersExperiment());

    private Experiments() {}

    static String names() {
        return ALL.stream().map(Experiment::name).collect(Collectors.joining(", "));
    }

    /** @throws IllegalArgumentException naming the experiments (and the nearest one) for an unknown name */
    static Experiment named(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (Experiment e : ALL) {
            if (e.name().equals(wanted)) {
                return e;
            }
        }
        String nearest = ALL.stream().map(Experiment::name)
                .min(java.util.Comparator.comparingInt(n -> editDistance(n, wanted))).orElseThrow();
        // A third of the name may be wrong ("optimizer", "xr"), not more: "mnist" is not a typo of "init".
        boolean close = editDistance(nearest, wanted) <= Math.max(1, wanted.length() / 3);
        String hint = close ? " (did you mean " + nearest + "?)" : "";
        throw new IllegalArgumentException("unknown experiment '" + name + "' (expected " + names() + ")" + hint);
    }

    /** Levenshtein distance, for the did-you-mean hint. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
