package jgrad.cli;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Benchmark progress on stderr, so stdout keeps only the result tables: a bar with the case just
 * measured on a terminal, otherwise one line per suite when it is done (its cases and time), so a
 * log holding both streams does not show every row twice.
 */
final class BenchProgress implements AutoCloseable {
    private final PrintWriter err;
    private final boolean terminal;
    private ProgressBar bar;
    private String suite = "";
    private int done;
    private long suiteStart;

    BenchProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Starts a suite's display; the number of cases is not known up front, so the bar counts without a total. */
    void suite(String name) {
        close();
        suite = name;
        done = 0;
        suiteStart = System.nanoTime();
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName("bench " + name).setInitialMax(-1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setUnit(" cases", 1).build();
        }
    }

    /** Reports a finished case and returns it (so suites can write {@code out.add(progress.done(r))}). */
    BenchResult done(BenchResult r) {
        done++;
        String line = line(r);
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(" " + line);
        }
        return r;
    }

    static String line(BenchResult r) {
        String what = r.device() + (r.provider().equals(r.device()) ? "" : " " + r.provider()) + ", " + r.item();
        if (!r.ok()) {
            return what + ": " + r.status() + " (" + r.note() + ")";
        }
        return what + ": " + String.format(Locale.ROOT, "%.4g %s, %.4g ms", r.value(), r.unit(), r.medianMs());
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        } else if (!terminal && done > 0) {
            err.printf(Locale.ROOT, "bench %s: %d cases in %.1f s%n", suite, done, (System.nanoTime() - suiteStart) / 1e9);
            err.flush();
        }
        done = 0;
    }
}
