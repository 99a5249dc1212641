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
        String hint = Nearest.name(wanted, ALL.stream().map(Experiment::name).toList())
                .map(n -> " (did you mean " + n + "?)").orElse("");
        throw new IllegalArgumentException("unknown experiment '" + name + "' (expected " + names() + ")" + hint);
    }
}
