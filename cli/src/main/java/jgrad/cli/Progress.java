package jgrad.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import jgrad.train.Trainer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress: on a terminal a progress bar (elapsed / ETA, steps/s) with the last loss and
 * images/s; otherwise (CI logs, pipes) one plain line per log point with the same figures and an
 * ETA; one line per epoch in both. Rates are averages since the first step, so the JIT warm-up
 * shows as a slightly slower start.
 */
final class Progress implements Trainer.Listener, AutoCloseable {
    private final PrintWriter out;
    private final boolean terminal;
    private final String task;
    private final int imagesPerStep;
    private ProgressBar bar;
    private int total;
    private long startNanos;
    /** Steps already done when this run started (a resumed run starts past 0). */
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
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setUnit(" steps", 1)
                    .showSpeed().build();
        }
    }

    @Override
    public void onStep(int step) {
        if (firstStep < 0) {
            firstStep = step - 1;
        }
        if (bar != null) {
            bar.stepTo(step);
        }
    }

    @Override
    public void onLog(int step, float loss) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        int done = step - Math.max(firstStep, 0);
        if (bar != null) {
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f, %s images/s", loss,
                    rate(done, seconds, imagesPerStep)));
        } else {
            out.println(line(task, step, done, total, loss, seconds, imagesPerStep));
            out.flush();
        }
    }

    /**
     * "cpu step  1000/10000  loss 0.2870  41230 images/s  ETA 0:00:09" (no task prefix for "train");
     * {@code done} steps took {@code seconds}.
     */
    static String line(String task, int step, int done, int total, float loss, double seconds, int imagesPerStep) {
        int width = String.valueOf(total).length();
        String eta = done > 0 && seconds > 0 ? duration(seconds / done * (total - step)) : "?";
        return String.format(Locale.ROOT, "%sstep %" + width + "d/%d  loss %.4f  %s images/s  ETA %s",
                task.equals("train") ? "" : task + " ", step, total, loss, rate(done, seconds, imagesPerStep), eta);
    }

    static String rate(int steps, double seconds, int imagesPerStep) {
        return seconds > 0 ? String.format(Locale.ROOT, "%.0f", steps * (double) imagesPerStep / seconds) : "?";
    }

    /** h:mm:ss, as the progress bar prints its ETA. */
    static String duration(double seconds) {
        Duration d = Duration.ofMillis(Math.round(seconds * 1000));
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    @Override
    public void onSkippedStep(int step, String what) {
        out.println("skipped: " + what);
        out.flush();
    }

    @Override
    public void onEpoch(jgrad.train.EpochStats e, int totalEpochs) {
        String line = String.format("epoch %d/%d  loss %.4f  test acc %.4f  lr %.4g  %.1f s", e.epoch(), totalEpochs,
                e.meanLoss(), e.testAccuracy(), e.lr(), e.trainSeconds());
        if (bar != null) {
            bar.setExtraMessage(" " + line);
        }
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
