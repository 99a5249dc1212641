package jgrad.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import jgrad.device.Device;
import jgrad.nn.Activation;
import jgrad.nn.Init;
import jgrad.nn.Linear;
import jgrad.nn.Module;
import jgrad.nn.Sequential;
import jgrad.tensor.Arena;
import jgrad.tensor.GradMode;
import jgrad.tensor.Tensor;
import jgrad.train.TrainData;

/**
 * The book's 6.2: how the initial weights' scale shapes a deep net. First
 * (weight_init_activation_histogram.py) 1 000 random N(0, 1) inputs of 100 features through 5
 * layers of 100 units, histograms of each layer's activations: with sigmoid, N(0, 1) weights
 * push them to 0 and 1 (vanishing gradients), N(0, 0.01²) squeezes them onto 0.5 (every unit the
 * same), Xavier keeps them spread; with ReLU, He keeps them spread where Xavier shrinks them layer
 * by layer. Then (weight_init_compare.py) MNIST loss curves of the 5-layer ReLU net (784 → 4 × 100
 * → 10) from std 0.01, Xavier and He weights: SGD lr 0.01, batch 128, 2 000 iterations.
 */
final class InitExperiment implements Experiment {
    static final int SAMPLES = 1000;
    static final int UNITS = 100;
    static final int LAYERS = 5;
    static final int BINS = 30;

    /** One histogram row: an initialiser with an activation. */
    record Setting(String label, String init, String activation) {}

    static final List<Setting> HISTOGRAMS = List.of(new Setting("std 1, sigmoid", "1", "sigmoid"),
            new Setting("std 0.01, sigmoid", "0.01", "sigmoid"), new Setting("Xavier, sigmoid", "xavier", "sigmoid"),
            new Setting("Xavier, ReLU", "xavier", "relu"), new Setting("He, ReLU", "he", "relu"));

    static final List<MnistRuns.Variant> VARIANTS = List.of(
            new MnistRuns.Variant("std 0.01", "sgd", 0.01f, "0.01", false),
            new MnistRuns.Variant("Xavier", "sgd", 0.01f, "xavier", false),
            new MnistRuns.Variant("He", "sgd", 0.01f, "he", false));

    @Override
    public String name() {
        return "init";
    }

    @Override
    public String summary() {
        return "weight init: activation histograms, and MNIST loss for std 0.01 / Xavier / He (book 6.2)";
    }

    @Override
    public Result run(Settings settings) throws IOException {
        settings.progress().printf("init: activations of %d random inputs through %d layers of %d units, %d settings%n",
                SAMPLES, LAYERS, UNITS, HISTOGRAMS.size());
        settings.progress().flush();
        List<Map<String, Object>> histograms = new ArrayList<>();
        List<GridCharts.Panel> panels = new ArrayList<>();
        Table table = new Table("setting", "layer 1 std", "layer 5 mean", "layer 5 std", "layer 5 share < 0.1 or > 0.9",
                "MNIST loss, first -> final");
        for (Setting s : HISTOGRAMS) {
            float[][] activations = activations(settings.device(), s, settings.seed());
            List<Map<String, Object>> layers = new ArrayList<>();
            for (int l = 0; l < LAYERS; l++) {
                boolean relu = s.activation().equals("relu");
                Map<String, Object> layer = describe(activations[l], relu);
                layers.add(layer);
                String panel = s.label() + ": layer " + (l + 1) + (relu ? " (> 0)" : "");
                panels.add(new GridCharts.Panel(panel, List.of(new GridCharts.Curve(s.label(), binCentres(),
                        toDouble((long[]) layer.get("counts"))))));
            }
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("setting", s.label());
            h.put("init", s.init());
            h.put("activation", s.activation());
            h.put("layers", layers);
            histograms.add(h);
            Map<String, Object> first = layers.get(0);
            Map<String, Object> last = layers.get(LAYERS - 1);
            table.add(s.label(), f3(first.get("std")), f3(last.get("mean")), f3(last.get("std")),
                    f3((double) last.get("below_0_1") + (double) last.get("above_0_9")), "");
        }
        MnistRuns.Net net = MnistRuns.bookNet(settings);
        TrainData data = MnistRuns.bookData(settings);
        int tail = Math.min(OptimizersExperiment.TAIL, net.steps() / 10);
        settings.progress().printf("init: 784-100-100-100-100-10 ReLU net on %d MNIST images, SGD lr 0.01, %d "
                + "iterations of batch %d, one run per initialiser%n", data.trainCount(), net.steps(), net.batch());
        settings.progress().flush();
        List<Map<String, Object>> runs = new ArrayList<>();
        Map<String, double[][]> curves = new LinkedHashMap<>();
        for (MnistRuns.Variant v : VARIANTS) {
            MnistRuns.Outcome o = MnistRuns.run(settings, name(), net, v, data);
            double first = MnistRuns.headMean(o.losses(), tail);
            double last = MnistRuns.tailMean(o.losses(), tail);
            double[] smoothed = MnistRuns.smooth(o.losses());
            table.add(v.label() + ", ReLU (MNIST)", "", "", "", "", OptimizersExperiment.f4(first) + " -> "
                    + OptimizersExperiment.f4(last));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.label());
            m.put("init", v.init());
            m.put("first_loss", first);
            m.put("final_loss", last);
            m.put("test_accuracy", o.testAccuracy());
            m.put("loss", o.losses());
            m.put("smoothed_loss", smoothed);
            runs.add(m);
            double[] xs = MnistRuns.iterations(smoothed.length);  // all steps, unless the run diverged
            curves.put(v.label() + " init", new double[][] {xs, smoothed});
        }
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("histogram_net", LAYERS + " layers of " + UNITS + " units, no bias, " + SAMPLES
                + " inputs drawn from N(0, 1)");
        numbers.put("histogram_bins", BINS);
        numbers.put("histogram_range", new double[] {0, 1});
        numbers.put("histograms", histograms);
        numbers.put("network", "784-100-100-100-100-10 ReLU, SGD lr 0.01 (the book's MultiLayerNet)");
        numbers.put("iterations", net.steps());
        numbers.put("batch", net.batch());
        numbers.put("train_images", data.trainCount());
        numbers.put("seed", settings.seed());
        numbers.put("final_loss_is_mean_of_last_steps", tail);
        numbers.put("runs", runs);
        List<String> figures = new ArrayList<>();
        Path histogramPng = settings.figure("init-histograms.png");
        if (histogramPng != null) {
            GridCharts.draw(histogramPng, GridCharts.Look.of("Activations of 5 layers (100 units, 1000 random inputs) "
                    + "by initial weights and activation (book 6.2.2)", "activation", "count")
                    .style(GridCharts.Style.BARS).columns(LAYERS), panels);
            figures.add("init-histograms.png");
            Charts.lineChart(settings.figure("init-loss.png"), "Weight init on MNIST: smoothed training loss, 5-layer "
                    + "ReLU net, SGD (book 6.2.4)", "iterations", "loss (cross-entropy)", curves);
            figures.add("init-loss.png");
        }
        String title = "Weight init: the last of 5 layers' activations (mean, std, share saturated) per setting, and "
                + "MNIST training loss from first to last " + tail + " steps";
        return new Result(title, table, numbers, figures);
    }

    /**
     * Each layer's activations for the book's 1 000 inputs, x ~ N(0, 1): the same inputs and the
     * same N(0, 1) weight draws for every setting (one seed), scaled by its initialiser. The
     * layers' biases are zero, as the book's script has none.
     */
    static float[][] activations(Device device, Setting s, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[SAMPLES * UNITS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        LinkedHashMap<String, Module> layers = new LinkedHashMap<>();
        for (int l = 1; l <= LAYERS; l++) {
            layers.put("fc" + l, new Linear(device, UNITS, UNITS, Init.parse(s.init()), rng));
            layers.put("act" + l, Activation.parse(s.activation()));
        }
        float[][] out = new float[LAYERS][];
        try (Sequential net = new Sequential(layers); Arena arena = Arena.open(); GradMode off = GradMode.noGrad();
             Tensor input = Tensor.of(device, x, SAMPLES, UNITS)) {
            Tensor h = input;
            int l = 0;
            for (Module m : net.layers().values()) {
                h = m.forward(h);
                if (m instanceof Activation) {
                    out[l++] = h.toArray();
                }
            }
        }
        return out;
    }

    /**
     * Mean, standard deviation, the shares near 0 and near 1, and the counts of {@value #BINS} bins over
     * [0, 1]; with {@code positiveOnly} (ReLU's half of exact zeros would dwarf the rest, which the book's
     * figure cuts off at 7 000) the bins count only the values above 0.
     */
    static Map<String, Object> describe(float[] a, boolean positiveOnly) {
        long[] counts = new long[BINS];
        double sum = 0;
        double sq = 0;
        int below = 0;
        int above = 0;
        int outside = 0;
        int zeros = 0;
        for (float v : a) {
            zeros += v == 0f ? 1 : 0;
            sum += v;
            sq += (double) v * v;
            below += v < 0.1f ? 1 : 0;
            above += v > 0.9f ? 1 : 0;
            if (positiveOnly && v == 0f) {
                continue;
            }
            if (v >= 0f && v <= 1f) {
                counts[Math.min(BINS - 1, (int) (v * BINS))]++;
            } else {
                outside++;
            }
        }
        double mean = sum / a.length;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", mean);
        m.put("std", Math.sqrt(Math.max(0, sq / a.length - mean * mean)));
        m.put("below_0_1", below / (double) a.length);
        m.put("above_0_9", above / (double) a.length);
        m.put("outside_0_1", outside / (double) a.length);
        m.put("zeros", zeros / (double) a.length);
        m.put("counts_exclude_zeros", positiveOnly);
        m.put("counts", counts);
        return m;
    }

    private static double[] binCentres() {
        double[] c = new double[BINS];
        for (int i = 0; i < BINS; i++) {
            c[i] = (i + 0.5) / BINS;
        }
        return c;
    }

    private static double[] toDouble(long[] xs) {
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = xs[i];
        }
        return out;
    }

    private static String f3(Object v) {
        return String.format(Locale.ROOT, "%.3f", (double) v);
    }
}
