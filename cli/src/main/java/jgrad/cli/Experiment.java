package jgrad.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jgrad.device.Device;

/**
 * One of the book's or the course's experiments behind {@code jgrad experiment NAME}: it runs, draws
 * its figures into the output folder (when there is one) and returns its numbers and table, which
 * the command prints and writes as {@code NAME.json} and {@code NAME.md}.
 */
interface Experiment {
    /** The name on the command line. */
    String name();

    /** One line for --help: what it shows and where it comes from. */
    String summary();

    Result run(Settings settings) throws IOException;

    /**
     * @param out      folder for the figures, or null for none (the numbers are still printed)
     * @param quick    a smaller run for CI that still shows what the experiment shows
     * @param progress where the experiment says what it is doing (a line per phase)
     * @param dataDir  where the MNIST experiments find (or fetch) MNIST; null for the default place
     */
    record Settings(Device device, long seed, boolean quick, Path out, PrintWriter progress, Path dataDir) {
        /** The path of a figure, or null when no --out was given (the experiment then draws nothing). */
        Path figure(String fileName) {
            return out == null ? null : out.resolve(fileName);
        }
    }

    /**
     * @param numbers what the experiment measured, as JSON (snake_case keys; a LinkedHashMap keeps the order)
     * @param figures the file names of the PNGs it drew (empty without --out)
     */
    record Result(String title, Table table, Map<String, Object> numbers, List<String> figures) {}
}
