package jgrad.cli;

import java.io.PrintWriter;
import jgrad.train.Trainer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress: a progress bar with ETA and the last loss on a terminal, plain
 * "step N/M loss L" lines otherwise (CI logs, pipes); one line per epoch in both.
 */
final class Progress implements Trainer.Listener, AutoCloseable {
    private final PrintWriter out;
    private final boolean terminal;
    private ProgressBar bar;
    private int total;

    Progress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    static boolean isTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    @Override
    public void onStart(int totalSteps) {
        total = totalSteps;
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setUnit(" steps", 1)
                    .showSpeed().build();
        }
    }

    @Override
    public void onStep(int step) {
        if (bar != null) {
            bar.stepTo(step);
        }
    }

    @Override
    public void onLog(int step, float loss) {
        if (bar != null) {
            bar.setExtraMessage(String.format(" loss %.4f", loss));
        } else {
            int width = String.valueOf(total).length();
            out.printf("step %" + width + "d/%d  loss %.4f%n", step, total, loss);
            out.flush();
        }
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
