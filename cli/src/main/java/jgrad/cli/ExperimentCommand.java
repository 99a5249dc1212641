package jgrad.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jgrad.device.Devices;
import jgrad.device.KernelChoice;
import jgrad.io.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jgrad experiment NAME}: one of the book's or the course's experiments, as one command. It
 * prints the experiment's table and, with {@code --out DIR}, writes its figures (PNG), {@code NAME.json}
 * (the numbers) and {@code NAME.md} (the table). The same seed gives the same numbers.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one of the book's or the course's experiments and draw its figures."})
final class ExperimentCommand implements Callable<Integer> {
    /** Help's width, and where a summary starts after the name column. */
    private static final int WIDTH = 80;
    private static final int SUMMARY_COLUMN = 15;

    /**
     * Adds the list of experiments to {@code experiment}'s help: each one's name and {@link Experiment#summary()},
     * wrapped at spaces under its own column (picocli would wrap it flush left), so the list is never written twice.
     */
    static void describe(CommandLine experiment) {
        List<String> lines = new ArrayList<>(List.of(experiment.getCommandSpec().usageMessage().description()));
        lines.addAll(List.of("", "Experiments:"));
        for (Experiment e : Experiments.ALL) {
            StringBuilder line = new StringBuilder("  " + e.name());
            for (String word : e.summary().split(" ")) {
                int column = line.length() < SUMMARY_COLUMN ? SUMMARY_COLUMN : line.length() + 1;
                if (column + word.length() > WIDTH - 2 && line.length() > SUMMARY_COLUMN) {
                    lines.add(line.toString());
                    line = new StringBuilder();
                    column = SUMMARY_COLUMN;
                }
                line.append(" ".repeat(column - line.length())).append(word);
            }
            lines.add(line.toString());
        }
        lines.add("");
        experiment.getCommandSpec().usageMessage().description(lines.toArray(String[]::new));
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The experiment (see above).")
    String name;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda, cuda:N or auto; these networks "
            + "are tiny, so the CPU is the default (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the figures (PNG), NAME.json and NAME.md.")
    Path out;

    @Option(names = "--quick", description = "A smaller run (seconds) that still shows what the experiment shows.")
    boolean quick;

    @Option(names = "--data-dir", description = "Where the MNIST experiments find MNIST, fetching it there on "
            + "first use (default: $JGRAD_DATA or ~/.cache/jgrad).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Experiment experiment = Experiments.named(name);  // every input is checked before anything runs
        Devices.check(device, KernelChoice.AUTO);
        Checks.outputDir("--out", out);
        Checks.dataDir(dataDir);
        PrintWriter printed = spec.commandLine().getOut();
        if (out != null) {
            Files.createDirectories(out);
        }
        Devices.Selection selection = Devices.select(device);
        try {
            printed.printf("jgrad experiment %s: %s; on %s, seed %d%s%n", experiment.name(), experiment.summary(),
                    selection.device().name(), seed, quick ? " (quick)" : "");
            printed.flush();
            Experiment.Result result = experiment.run(new Experiment.Settings(selection.device(), seed, quick, out,
                    printed, dataDir));
            printed.println();
            printed.println(result.title());
            printed.print(result.table().text());
            if (out != null) {
                Json.write(out.resolve(experiment.name() + ".json"), result.numbers());
                String command = "jgrad experiment " + experiment.name() + " --seed " + seed + (quick ? " --quick" : "");
                String md = "# " + result.title() + "\n\n" + result.table().markdown() + "\n`" + command + "`\n";
                AtomicFiles.write(out.resolve(experiment.name() + ".md"), md.getBytes(StandardCharsets.UTF_8));
                printed.printf("saved %s (%s, %s.json, %s.md)%n", out, String.join(", ", result.figures()),
                        experiment.name(), experiment.name());
            }
        } finally {
            if (selection.device() instanceof AutoCloseable closeable) {
                closeable.close();  // a CUDA device: handles, stream, context (the CPU device is shared)
            }
        }
        printed.flush();
        return 0;
    }
}
