package jgrad.cli;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jgrad.nn.ConvNet;
import jgrad.nn.Parameter;
import jgrad.nn.Sequential;
import jgrad.train.EpochStats;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;

/**
 * The book's 7.6: SimpleConvNet's 30 first-layer 5×5 filters before and after training, drawn as its
 * {@code visualize_filter.py} draws them. The job is the book's {@code train_convnet.py}: conv 30×5×5
 * → ReLU → pool → affine 100 → ReLU → affine 10, weights 0.01·N(0, 1), Adam lr 0.001 (constant),
 * batch 100, 20 epochs of MNIST, through the engine's {@link Trainer} as {@code jgrad train --model
 * convnet --init std --lr-schedule constant} runs it. {@code --quick} trains 200 steps (10 epochs) on the
 * first 2 000 training images and tests on 500.
 *
 * <p>How much spatial structure a filter has is measured by its <em>neighbour correlation</em>: the
 * correlation of each weight with its right and its lower neighbour, over the filter's 2·5·4 = 40
 * neighbouring pairs, each weight taken from the filter's mean. The initial weights are independent
 * draws, so it is near 0 (slightly negative: centring on the filter's own mean makes it about
 * −1/24); the book's trained filters are edge and blob detectors, weights that change smoothly from
 * a dark side to a light side, so it is clearly positive. Unlike the raw difference between
 * neighbours it does not depend on the filter's scale, which training changes tenfold.
 */
final class FiltersExperiment implements Experiment {
    private static final int EPOCHS = 20;
    private static final int BATCH = 100;
    private static final float LEARNING_RATE = 0.001f;
    private static final int QUICK_TRAIN = 2_000;
    private static final int QUICK_TEST = 500;
    private static final int QUICK_EPOCHS = 10;

    @Override
    public String name() {
        return "filters";
    }

    @Override
    public String summary() {
        return "SimpleConvNet's 30 first-layer filters before and after training (book 7.6)";
    }

    /** The book's train_convnet.py job; {@code --quick} runs fewer epochs of the images {@link #limits} keeps. */
    static TrainConfig config(long seed, boolean quick) {
        return TrainConfig.builder().model("convnet").steps(0).epochs(quick ? QUICK_EPOCHS : EPOCHS).batchSize(BATCH)
                .lr(LEARNING_RATE).optimizer("adam").activation("relu").init("std").seed(seed).logEvery(100).build();
    }

    static DataLimits limits(boolean quick) {
        return quick ? new DataLimits(QUICK_TRAIN, QUICK_TEST) : DataLimits.NONE;
    }

    @Override
    public Result run(Settings settings) throws IOException {
        boolean quick = settings.quick();
        TrainConfig cfg = config(settings.seed(), quick);
        TrainData data = Datasets.load("mnist", settings.dataDir(), true, "none", limits(quick)).data();
        float[] before;
        double accuracyBefore;
        try (Sequential fresh = Trainer.buildModel(cfg, settings.device(), data.shape(), data.classes())) {
            before = firstLayer(fresh);  // the very weights the run starts from: same config, same seed
            accuracyBefore = Trainer.evaluate(fresh, settings.device(), data.testX(), data.testY(), data.testCount(),
                    data.features());
        }
        int epochs = cfg.totalEpochs(data.trainCount());
        settings.progress().printf("filters: SimpleConvNet (conv %dx%dx%d, init 0.01*N(0,1)), Adam lr %s, batch %d, "
                + "%d epochs of %d MNIST images, tested on %d%n", ConvNet.FILTERS, ConvNet.KERNEL, ConvNet.KERNEL,
                LEARNING_RATE, BATCH, epochs, data.trainCount(), data.testCount());
        settings.progress().flush();
        TrainResult r = Trainer.train(cfg, settings.device(), data, new Trainer.Listener() {
            @Override
            public void onEpoch(EpochStats e, int total) {
                settings.progress().printf(Locale.ROOT, "  epoch %d/%d: mean loss %.4f, test accuracy %.4f (%.1f s)%n",
                        e.epoch(), total, e.meanLoss(), e.testAccuracy(), e.trainSeconds());
                settings.progress().flush();
            }
        });
        float[] after;
        try (Sequential trained = r.model()) {
            after = firstLayer(trained);
        }
        int[] shape = {ConvNet.FILTERS, 1, ConvNet.KERNEL, ConvNet.KERNEL};
        Stats b = Stats.of(before, shape);
        Stats a = Stats.of(after, shape);
        double change = distance(before, after) / norm(before);

        Table table = new Table("filters", "mean |w|", "neighbour correlation", "filters above 0.2", "test accuracy");
        table.add("before training", fmt("%.4f", b.meanAbs()), fmt("%.3f", b.meanCorrelation()),
                b.structured() + " of " + ConvNet.FILTERS, fmt("%.4f", accuracyBefore));
        table.add("after " + r.steps() + " steps", fmt("%.4f", a.meanAbs()), fmt("%.3f", a.meanCorrelation()),
                a.structured() + " of " + ConvNet.FILTERS, fmt("%.4f", r.testAccuracy()));

        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("network", "SimpleConvNet: conv 30x5x5 - ReLU - max-pool 2x2 - affine 100 - ReLU - affine 10, "
                + "init 0.01*N(0,1), Adam lr 0.001 constant, batch 100");
        numbers.put("seed", settings.seed());
        numbers.put("device", r.device());
        numbers.put("train_images", data.trainCount());
        numbers.put("test_images", data.testCount());
        numbers.put("epochs", epochs);
        numbers.put("steps", r.steps());
        numbers.put("filter_shape", shape);
        numbers.put("relative_change", change);
        numbers.put("before", b.json(accuracyBefore, before));
        numbers.put("after", a.json(r.testAccuracy(), after));
        numbers.put("test_accuracy_per_epoch", r.epochs().stream().mapToDouble(EpochStats::testAccuracy).toArray());
        numbers.put("loss_per_epoch", r.epochs().stream().mapToDouble(EpochStats::meanLoss).toArray());

        List<String> figures = new java.util.ArrayList<>();
        if (settings.out() != null) {
            String size = ConvNet.FILTERS + " filters of " + ConvNet.KERNEL + "×" + ConvNet.KERNEL;
            FilterGrid.write(settings.figure("filters.png"), "SimpleConvNet's " + size + " (first layer) before and "
                    + "after training on MNIST (test accuracy " + fmt("%.4f", r.testAccuracy()) + ")", List.of(
                    new FilterGrid.Panel("before: 0.01·N(0, 1), neighbour correlation " + fmt("%.2f",
                            b.meanCorrelation()), before, shape),
                    new FilterGrid.Panel("after " + Words.count(epochs, "epoch") + " (" + r.steps() + " Adam steps): "
                            + "neighbour correlation " + fmt("%.2f", a.meanCorrelation()), after, shape)));
            figures.add("filters.png");
        }
        String title = String.format(Locale.ROOT, "SimpleConvNet's first-layer filters: neighbour correlation "
                + "%.3f before and %.3f after %d steps (weights moved by %.1f× their initial norm)",
                b.meanCorrelation(), a.meanCorrelation(), r.steps(), change);
        return new Result(title, table, numbers, figures);
    }

    /** conv1.weight as it is now, [30, 1, 5, 5] row-major. */
    private static float[] firstLayer(Sequential net) {
        for (Parameter p : net.parameters()) {
            if (p.name().equals("conv1.weight")) {
                return p.tensor().toArray();
            }
        }
        throw new IllegalStateException("the convnet has no conv1.weight");
    }

    /**
     * The filters' structure: per filter the neighbour correlation (see the class comment), and over
     * all of them its mean, the mean absolute weight and how many filters pass 0.2.
     */
    record Stats(double[] correlations, double meanAbs) {
        static final double STRUCTURED = 0.2;

        static Stats of(float[] w, int[] shape) {
            int k = shape[2];
            int plane = shape[1] * k * k;
            double[] corr = new double[shape[0]];
            double abs = 0;
            for (int f = 0; f < shape[0]; f++) {
                corr[f] = neighbourCorrelation(w, f * plane, k);
            }
            for (float v : w) {
                abs += Math.abs(v) / w.length;
            }
            return new Stats(corr, abs);
        }

        double meanCorrelation() {
            return java.util.Arrays.stream(correlations).average().orElse(Double.NaN);
        }

        int structured() {
            return (int) java.util.Arrays.stream(correlations).filter(c -> c > STRUCTURED).count();
        }

        Map<String, Object> json(double accuracy, float[] weights) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("test_accuracy", accuracy);
            m.put("mean_abs_weight", meanAbs);
            m.put("neighbour_correlation", meanCorrelation());
            m.put("filters_above_0_2", structured());
            m.put("neighbour_correlation_per_filter", correlations);
            m.put("weights", weights);
            return m;
        }
    }

    /**
     * The correlation between horizontally and vertically adjacent weights of the k×k filter at
     * {@code from}, both taken from the filter's mean: Σ(a·b) over neighbour pairs / (pairs · variance).
     */
    static double neighbourCorrelation(float[] w, int from, int k) {
        double mean = 0;
        for (int i = 0; i < k * k; i++) {
            mean += w[from + i] / (double) (k * k);
        }
        double variance = 0;
        for (int i = 0; i < k * k; i++) {
            double d = w[from + i] - mean;
            variance += d * d / (k * k);
        }
        if (!(variance > 0)) {
            return 0;
        }
        double sum = 0;
        int pairs = 0;
        for (int y = 0; y < k; y++) {
            for (int x = 0; x < k; x++) {
                double here = w[from + y * k + x] - mean;
                if (x + 1 < k) {
                    sum += here * (w[from + y * k + x + 1] - mean);
                    pairs++;
                }
                if (y + 1 < k) {
                    sum += here * (w[from + (y + 1) * k + x] - mean);
                    pairs++;
                }
            }
        }
        return sum / pairs / variance;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
