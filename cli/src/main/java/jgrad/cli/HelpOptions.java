package jgrad.cli;

import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** A shared option restated for one command's --help (its description, or hidden there). */
final class HelpOptions {
    private HelpOptions() {}

    /**
     * Rebuilds option {@code name} of {@code spec} through {@code change}; absent, nothing happens.
     * picocli's OptionSpec is immutable, so it is removed and the changed copy added (at the end of the list).
     */
    static void restate(CommandSpec spec, String name, UnaryOperator<OptionSpec.Builder> change) {
        OptionSpec option = spec.findOption(name);
        if (option != null) {
            spec.remove(option);
            spec.addOption(change.apply(option.toBuilder()).build());
        }
    }
}
