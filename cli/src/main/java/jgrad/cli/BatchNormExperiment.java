package jgrad.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jgrad.train.EpochStats;
import jgrad.train.TrainData;

/**
 * The book's 6.3.3 (batch_norm_test.py): the 6-layer net (784 → 5 × 100 ReLU → 10) trained on
 * 1 000 MNIST images with and without batch norm, from weights drawn at 16 scales, logspace(0, −4,
 * 16) (the book's weight_init_std), SGD lr 0.01, minibatches of 100 drawn at random, 20 epochs of
 * 10 iterations: training accuracy per epoch, one small plot per scale. With batch norm the net
 * learns from almost every scale; without it, only near the right one.
 *
 * <p>Accuracy is measured on the 1 000 training images themselves, as the book's figure does, in
 * evaluation mode (batch norm with its running statistics, the book's {@code train_flg=False}).
 */
final class BatchNormExperiment implements Experiment {
    static final int SCALES = 16;
    static final int IMAGES = 1000;
    static final int EPOCHS = 20;
    static final int QUICK_EPOCHS = 10;
    static final int BATCH = 100;
    /** --quick: every third scale (1, 0.16, 0.025, 4e-3, 6.3e-4, 1e-4) and half the epochs. */
    static final int QUICK_SCALE_STRIDE = 3;

    @Override
    public String name() {
        return "batchnorm";
    }

    @Override
    public String summary() {
        return "with vs without batch norm at 16 weight scales, 1000 images (book 6.3.3)";
    }

    /** The book's np.logspace(0, -4, 16): 1 down to 1e-4. */
    static double[] scales() {
        double[] s = new double[SCALES];
        for (int i = 0; i < SCALES; i++) {
            s[i] = Math.pow(10, -4.0 * i / (SCALES - 1));
        }
        return s;
    }

    @Override
    public Result run(Settings settings) throws IOException {
        int epochs = settings.quick() ? QUICK_EPOCHS : EPOCHS;
        int stride = settings.quick() ? QUICK_SCALE_STRIDE : 1;
        TrainData head = MnistRuns.mnist(settings.dataDir(), IMAGES, 1);
        // evaluated on its own training images: the book's figure plots training accuracy
        TrainData data = new TrainData(head.trainX(), head.trainY(), IMAGES, head.trainX(), head.trainY(), IMAGES,
                head.features(), head.classes(), head.shape(), head.normalization());
        MnistRuns.Net net = new MnistRuns.Net(new int[] {100, 100, 100, 100, 100}, "relu", epochs * IMAGES / BATCH,
                BATCH, 0);
        settings.progress().printf("batchnorm: 784-100x5-10 ReLU net on %d MNIST images, SGD lr 0.01, batch %d, %d "
                + "epochs, %d weight scales, each with and without batch norm%n", IMAGES, BATCH, epochs,
                (SCALES + stride - 1) / stride);
        settings.progress().flush();
        Table table = new Table("weight scale", "with batch norm", "without", "BN ahead");
        List<Map<String, Object>> runs = new ArrayList<>();
        List<GridCharts.Panel> panels = new ArrayList<>();
        double[] xs = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            xs[e] = e + 1;
        }
        int ahead = 0;
        double[] all = scales();
        for (int i = 0; i < SCALES; i += stride) {
            String scale = String.format(Locale.ROOT, "%.3g", all[i]);
            MnistRuns.Outcome bn = MnistRuns.run(settings, name(), net, new MnistRuns.Variant("W " + scale
                    + ", batch norm", "sgd", 0.01f, Double.toString(all[i]), true), data);
            MnistRuns.Outcome normal = MnistRuns.run(settings, name(), net, new MnistRuns.Variant("W " + scale
                    + ", normal", "sgd", 0.01f, Double.toString(all[i]), false), data);
            double[] withBn = accuracies(bn, epochs);
            double[] without = accuracies(normal, epochs);
            double bnFinal = withBn[epochs - 1];
            double plainFinal = without[epochs - 1];
            boolean bnAhead = bnFinal > (Double.isNaN(plainFinal) ? 0 : plainFinal);
            ahead += bnAhead ? 1 : 0;
            table.add(scale, OptimizersExperiment.f4(bnFinal), Double.isNaN(plainFinal) ? "diverged"
                    : OptimizersExperiment.f4(plainFinal), bnAhead ? "yes" : "no");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("weight_scale", all[i]);
            m.put("batch_norm_accuracy", nullForNaN(withBn));
            m.put("normal_accuracy", nullForNaN(without));
            m.put("batch_norm_final", Double.isNaN(bnFinal) ? null : bnFinal);
            m.put("normal_final", Double.isNaN(plainFinal) ? null : plainFinal);
            m.put("batch_norm_ahead", bnAhead);
            m.put("batch_norm_diverged_at_step", bn.divergedAtStep());
            m.put("normal_diverged_at_step", normal.divergedAtStep());
            runs.add(m);
            panels.add(new GridCharts.Panel("W: " + scale + (Double.isNaN(plainFinal) ? " (normal diverged)" : ""),
                    List.of(new GridCharts.Curve("batch norm", xs, withBn),
                            new GridCharts.Curve("normal", xs, without))));
        }
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("network", "784-100-100-100-100-100-10 ReLU, weights ~ scale * N(0, 1) (the book's "
                + "MultiLayerNetExtend)");
        numbers.put("train_images", IMAGES);
        numbers.put("batch", BATCH);
        numbers.put("epochs", epochs);
        numbers.put("iterations_per_epoch", IMAGES / BATCH);
        numbers.put("learning_rate", 0.01);
        numbers.put("seed", settings.seed());
        numbers.put("accuracy_on", "the training images, in evaluation mode, after each epoch");
        numbers.put("batch_norm", "PyTorch's conventions: eps 1e-5 (the book's is 1e-6), running statistics with "
                + "momentum 0.1 (the book's 0.9 for the old value)");
        numbers.put("scales_batch_norm_ahead", ahead);
        numbers.put("runs", runs);
        List<String> figures = new ArrayList<>();
        Path png = settings.figure("batchnorm-grid.png");
        if (png != null) {
            GridCharts.draw(png, GridCharts.Look.of("Training accuracy with batch norm (solid) and without (dashed), "
                    + "by weight scale W (book 6.3.3)", "epochs", "accuracy").sharedY(0, 1)
                    .style(GridCharts.Style.SECOND_DASHED).columns(settings.quick() ? 3 : 4), panels);
            figures.add("batchnorm-grid.png");
        }
        String title = String.format(Locale.ROOT, "Batch norm: training accuracy after %d epochs on %d images, by "
                + "weight scale; batch norm ahead at %d of %d scales", epochs, IMAGES, ahead, runs.size());
        return new Result(title, table, numbers, figures);
    }

    /** Accuracy after each epoch; NaN from where a run diverged on. */
    private static double[] accuracies(MnistRuns.Outcome o, int epochs) {
        double[] acc = new double[epochs];
        java.util.Arrays.fill(acc, Double.NaN);
        for (EpochStats e : o.epochs()) {
            acc[e.epoch() - 1] = e.testAccuracy();
        }
        return acc;
    }

    private static List<Double> nullForNaN(double[] xs) {
        List<Double> out = new ArrayList<>();
        for (double x : xs) {
            out.add(Double.isNaN(x) ? null : x);
        }
        return out;
    }
}
