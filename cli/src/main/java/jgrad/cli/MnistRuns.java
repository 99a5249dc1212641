package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jgrad.train.EpochStats;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import jgrad.train.TrainingDivergedException;

/**
 * The book's chapter-6 MNIST experiments as configurations of {@link Trainer}: the book's
 * MultiLayerNet(Extend) is jgrad's MLP, its training loop (minibatches drawn at random, with
 * replacement) is the trainer's steps mode. What this adds is the loading, one progress line per
 * quarter of a run, and the book's smoothing of loss curves.
 */
final class MnistRuns {
    private MnistRuns() {}

    /**
     * The net and the schedule every run of one experiment shares.
     *
     * @param reports progress lines per run (at evenly spaced steps, each with that step's loss)
     */
    record Net(int[] hidden, String activation, int steps, int batch, int reports) {}

    /**
     * The book's MultiLayerNet of 6.1.8 and 6.2.4 (784 → 4 × 100 ReLU → 10) with its schedule:
     * 2 000 iterations of batch 128. The optimizers and init experiments both train it.
     */
    static final Net BOOK_NET = new Net(new int[] {100, 100, 100, 100}, "relu", 2000, 128, 4);
    /** --quick: fewer steps (on {@link #bookData}'s tenth of the images); SGD is still far behind AdaGrad and Adam. */
    static final Net BOOK_NET_QUICK = new Net(BOOK_NET.hidden(), "relu", 300, 128, 2);

    static Net bookNet(Experiment.Settings settings) {
        return settings.quick() ? BOOK_NET_QUICK : BOOK_NET;
    }

    /** The MNIST images {@link #bookNet} trains on: all, or with --quick 10 000 training and 1 000 test images. */
    static TrainData bookData(Experiment.Settings settings) {
        return settings.quick() ? mnist(settings.dataDir(), 10_000, 1_000) : mnist(settings.dataDir(), 0, 0);
    }

    /** What differs between the runs of one experiment (one curve each). */
    record Variant(String label, String optimizer, float lr, String init, boolean batchNorm) {}

    /**
     * One finished run: its per-step loss, per-epoch stats (the trainer's notional epochs:
     * {@code trainCount / batch} steps each) and test accuracy; {@code divergedAtStep} is 0 unless
     * the weights overflowed (the book's numpy goes on with NaN; the trainer stops). No timings: the
     * numbers of a seed are the same on every run (the progress lines say how long each took).
     */
    record Outcome(Variant variant, float[] losses, List<EpochStats> epochs, double testAccuracy, int divergedAtStep) {}

    /**
     * MNIST's first {@code train} and {@code test} images (0: all), pixels in [0, 1], as the book's
     * load_mnist, from {@code dataDir} (null: $JGRAD_DATA or ~/.cache/jgrad, as train finds it).
     */
    static TrainData mnist(java.nio.file.Path dataDir, int train, int test) {
        return Datasets.load("mnist", dataDir, true, "none", new DataLimits(train, test)).data();
    }

    static TrainConfig config(Net net, Variant v, long seed) {
        int logEvery = Math.max(1, net.steps() / Math.max(1, net.reports()));
        return TrainConfig.builder().steps(net.steps()).batchSize(net.batch()).lr(v.lr()).optimizer(v.optimizer())
                .activation(net.activation()).init(v.init()).hidden(net.hidden()).batchNorm(v.batchNorm()).seed(seed)
                .logEvery(logEvery).build();
    }

    /** Trains one variant, saying so on {@code settings.progress()}; a run whose weights overflow ends early. */
    static Outcome run(Experiment.Settings settings, String experiment, Net net, Variant v, TrainData data) {
        TrainConfig cfg = config(net, v, settings.seed());
        List<EpochStats> epochs = new ArrayList<>();
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void onLog(int step, float loss) {
                if (net.reports() == 0) {
                    return;
                }
                settings.progress().printf(Locale.ROOT, "%s: %s  step %d/%d  loss %.4f%n", experiment, v.label(), step,
                        net.steps(), loss);
                settings.progress().flush();
            }

            @Override
            public void onEpoch(EpochStats epoch, int totalEpochs) {
                epochs.add(epoch);
            }
        };
        long start = System.nanoTime();
        try (TrainResult result = Trainer.train(cfg, settings.device(), data, listener)) {
            settings.progress().printf(Locale.ROOT, "%s: %s  %d steps in %.1f s, last loss %.4f%n", experiment,
                    v.label(), result.steps(), (System.nanoTime() - start) / 1e9, result.finalLoss());
            settings.progress().flush();
            return new Outcome(v, result.lossHistory(), List.copyOf(epochs), result.testAccuracy(), 0);
        } catch (TrainingDivergedException e) {
            settings.progress().printf("%s: %s  diverged at step %d (%s)%n", experiment, v.label(), e.step(),
                    e.parameter());
            settings.progress().flush();
            return new Outcome(v, new float[0], List.copyOf(epochs), Double.NaN, Math.max(1, e.step()));
        }
    }

    /** 1, 2, …, n: the iteration axis. */
    static double[] iterations(int n) {
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i + 1;
        }
        return xs;
    }

    /** The mean loss of the last {@code tail} steps: a run's end, free of one minibatch's noise. */
    static double tailMean(float[] losses, int tail) {
        int from = Math.max(0, losses.length - tail);
        double sum = 0;
        for (int i = from; i < losses.length; i++) {
            sum += losses[i];
        }
        return sum / (losses.length - from);
    }

    /** The mean loss of the first {@code head} steps: where a run starts. */
    static double headMean(float[] losses, int head) {
        int n = Math.min(head, losses.length);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += losses[i];
        }
        return sum / n;
    }

    static double[] toDouble(float[] xs) {
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = xs[i];
        }
        return out;
    }

    /** Window of the book's {@code smooth_curve} (common/util.py). */
    static final int SMOOTH_WINDOW = 11;
    private static final double KAISER_BETA = 2;

    /**
     * The book's {@code smooth_curve}: a Kaiser window (11 points, β 2) convolved with the curve,
     * which is mirrored at both ends so the result is as long as the input (shorter curves are
     * returned as they are).
     */
    static double[] smooth(float[] ys) {
        int n = ys.length;
        double[] out = toDouble(ys);
        if (n < SMOOTH_WINDOW) {
            return out;
        }
        int half = SMOOTH_WINDOW / 2;
        double[] w = new double[SMOOTH_WINDOW];
        double total = 0;
        for (int k = 0; k < SMOOTH_WINDOW; k++) {
            double r = 2.0 * k / (SMOOTH_WINDOW - 1) - 1;
            w[k] = besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / besselI0(KAISER_BETA);
            total += w[k];
        }
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int k = -half; k <= half; k++) {
                sum += w[k + half] * ys[mirror(i + k, n)];
            }
            out[i] = sum / total;
        }
        return out;
    }

    /**
     * numpy's {@code np.r_[x[w-1:0:-1], x, x[-1:-w:-1]]}: reflected without x[0] at the start, with
     * x[n-1] at the end.
     */
    private static int mirror(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 1 - i : i;
    }

    /** The modified Bessel function I0, by its power series (converges fast for the small β here). */
    static double besselI0(double x) {
        double term = 1;
        double sum = 1;
        for (int m = 1; m < 50; m++) {
            term *= (x / 2) / m;
            sum += term * term;
        }
        return sum;
    }
}
