package jgrad.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import jgrad.train.EpochStats;
import jgrad.train.Trainer;

/**
 * Training progress. On a terminal: a bar ({@link BarLine}: steps, elapsed, ETA, images/s, loss)
 * redrawn in place on stdout a few times a second, from the training thread, so it never races the
 * epoch lines: each epoch line erases the bar, is printed whole on its own line, and the bar is drawn
 * again below it. Otherwise (CI logs, pipes): one plain line per log point with the same figures. Both
 * take their rate from {@link StepRate} (the last few seconds of a monotonic clock, from the end of
 * the run's first step), so neither the JIT's slow start nor one-time set-up shows in the ETA; a plain
 * line early in a run falls back to the mean since the first step rather than print no figure.
 */
final class Progress implements Trainer.Listener, AutoCloseable {
    /** Erases the terminal line the cursor is on (after a carriage return: all of it). */
    private static final String CLEAR_LINE = "\r\u001b[K";
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final String task;
    private final int imagesPerStep;
    private final TerminalColumns columns = new TerminalColumns();
    private StepRate rate = new StepRate();
    private int total;
    private long startNanos;
    private long drawnAt;
    private boolean barShown;
    private int step = -1;
    private float loss = Float.NaN;
    /** Steps already done when this run started (a resumed run starts past 0); -1 before the first call. */
    private int firstStep = -1;

    /**
     * @param task          shown before the bar, e.g. "train" or "cpu"
     * @param imagesPerStep the batch size, for images/s
     */
    Progress(PrintWriter out, boolean terminal, String task, int imagesPerStep) {
        this.out = out;
        this.terminal = terminal;
        this.task = task;
        this.imagesPerStep = imagesPerStep;
    }

    static boolean isTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    @Override
    public void onStart(int totalSteps) {
        total = totalSteps;
        startNanos = System.nanoTime();
        rate = new StepRate();
        firstStep = -1;
    }

    @Override
    public void onStep(int step) {
        this.step = step;
        if (firstStep < 0) {
            firstStep = step;  // the trainer's position before its first step
            draw();
            return;
        }
        // The first step carries one-time costs (uploads, allocation, compilation): the rate starts after it.
        rate.mark(step);
        if (terminal && System.nanoTime() - drawnAt >= REDRAW_NANOS) {
            draw();
        }
    }

    @Override
    public void onLog(int step, float loss) {
        this.loss = loss;
        if (!terminal) {
            out.println(line(task, step, total, loss, rate.stepsPerSecondSoFar(), imagesPerStep));
            out.flush();
        }
    }

    /** The bar as it stands, in place of the one drawn before (terminal only). */
    private void draw() {
        if (!terminal) {
            return;
        }
        double stepsPerSecond = rate.stepsPerSecond();
        BarLine frame = new BarLine(task, Math.max(step, 0), total, (System.nanoTime() - startNanos) / 1e9,
                step >= total ? 0 : rate.secondsLeft(total), stepsPerSecond * imagesPerStep, loss);
        out.print(CLEAR_LINE + frame.render(columns.get()));
        out.flush();
        barShown = true;
        drawnAt = System.nanoTime();
    }

    /** Prints a line of its own: on a terminal over the bar, which is drawn again below it. */
    private void println(String line) {
        if (barShown) {
            out.print(CLEAR_LINE);
            barShown = false;
        }
        out.println(line);
        out.flush();
        draw();
    }

    /**
     * "cpu step  1000/10000  loss 0.2870  41230 images/s  ETA 0:00:09" (no task prefix for "train");
     * "?" for the rate and ETA while {@code stepsPerSecond} is NaN (not measured yet).
     */
    static String line(String task, int step, int total, float loss, double stepsPerSecond, int imagesPerStep) {
        int width = String.valueOf(total).length();
        boolean known = !Double.isNaN(stepsPerSecond) && stepsPerSecond > 0;
        String eta = step >= total ? duration(0) : known ? duration((total - step) / stepsPerSecond) : "?";
        String images = known ? String.format(Locale.ROOT, "%.0f", stepsPerSecond * imagesPerStep) : "?";
        return String.format(Locale.ROOT, "%sstep %" + width + "d/%d  loss %.4f  %s images/s  ETA %s",
                task.equals("train") ? "" : task + " ", step, total, loss, images, eta);
    }

    /** h:mm:ss. */
    static String duration(double seconds) {
        Duration d = Duration.ofMillis(Math.round(seconds * 1000));
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    @Override
    public void onSkippedStep(int step, String what) {
        println("skipped: " + what);
    }

    @Override
    public void onEpoch(EpochStats e, int totalEpochs) {
        rate.skipPause();
        println(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f  test acc %.4f  lr %.4g  %.1f s", e.epoch(),
                totalEpochs, e.meanLoss(), e.testAccuracy(), e.lr(), e.trainSeconds()));
    }

    /** Erases the bar (the summary follows); safe to call twice. */
    @Override
    public void close() {
        if (barShown) {
            out.print(CLEAR_LINE);
            out.flush();
            barShown = false;
        }
    }
}
