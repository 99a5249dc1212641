package jgrad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import jgrad.device.Devices;
import jgrad.io.AtomicFiles;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import jgrad.nn.ConvNet;
import jgrad.nn.Parameter;
import jgrad.train.Checkpoint;
import jgrad.train.RunOptions;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jgrad train}: trains a network and reports time, loss and test accuracy. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a network on MNIST, Fashion-MNIST or CIFAR-10 (defaults: the seed's two-layer net, "
                + "10 000 SGD steps on MNIST).")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainOptions options = new TrainOptions();

    @Option(names = "--metrics-json", description = "Write the summary and loss history as JSON to this file.")
    Path metricsJson;

    @Option(names = "--out", description = "Directory for checkpoint.safetensors (after every epoch), accuracy.png, "
            + "model.safetensors, loss.png, predictions.png and metrics.json.")
    Path outDir;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run whose checkpoint is in DIR (its options, unless given again; "
                    + "--out defaults to DIR).")
    Path resumeDir;

    @Option(names = "--stop-after-epoch", defaultValue = "0", paramLabel = "N",
            description = "Stop once epoch N is done, leaving the checkpoint to --resume (needs --out).")
    int stopAfterEpoch;

    @Override
    public Integer call() throws Exception {
        Predicate<String> given = spec.commandLine().getParseResult()::hasMatchedOption;
        PrintWriter out = spec.commandLine().getOut();
        Checkpoint resume = null;
        TrainConfig cfg;
        Datasets.Loaded loaded;
        Path dir = outDir;
        if (resumeDir != null) {
            if (given.test("--normalize")) {
                throw new IllegalArgumentException("--normalize cannot change on --resume (the checkpoint's inputs"
                        + " must stay as they were)");
            }
            resume = Checkpoint.read(resumeDir);
            cfg = options.config(resume.config(), given);
            loaded = Datasets.forCheckpoint(resume.dataInfo(), given.test("--dataset") ? options.dataset : null,
                    options.dataDir);
            if (dir == null) {
                dir = resume.file().toAbsolutePath().getParent();
            }
        } else {
            cfg = options.config(given);
            loaded = Datasets.load(options.dataset, options.dataDir, true, options.normalize);
        }
        if (cfg.augment().contains("flip") && loaded.spec().name().equals("mnist")) {
            throw new IllegalArgumentException("--augment flip is for cifar10 (and fashion-mnist): a mirrored digit"
                    + " is not the same digit");
        }
        RunOptions run = new RunOptions(dir, resume, stopAfterEpoch, loaded.info());
        Devices.Selection selection = options.selectDevice();
        try {
            return train(cfg, selection, loaded, run, resume, dir);
        } finally {
            if (selection.device() instanceof AutoCloseable closeable) {
                closeable.close();  // a CUDA device: handles, stream, context (the CPU device is shared)
            }
        }
    }

    private int train(TrainConfig cfg, Devices.Selection selection, Datasets.Loaded loaded, RunOptions run,
                      Checkpoint resume, Path dir) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TrainData data = loaded.data();
        out.printf("jgrad train: %s %s on %s (%s), %s lr %s, batch %d, %d steps on %s%n", cfg.model(),
                describeNet(cfg, data), loaded.spec().name(), data.shape(), cfg.optimizer(), cfg.lr(),
                cfg.batchSize(), cfg.totalSteps(data.trainCount()), selection.device().name());
        String extras = extras(cfg, data);
        if (!extras.isEmpty()) {
            out.println("  " + extras);
        }
        if (resume != null) {
            out.printf("  resuming from %s at epoch %d (step %d)%n", resume.file(), resume.epoch(), resume.step());
        }
        TrainResult result;
        try (Progress progress = new Progress(out, Progress.isTerminal(), "train", cfg.batchSize())) {
            result = Trainer.train(cfg, selection.device(), data, progress, run);
        }
        List<String> names = loaded.spec().classNames();
        out.println();
        out.printf("device         %s%n", result.device());
        out.printf("steps          %d%n", result.steps());
        out.printf("train seconds  %.3f%n", result.trainSeconds());
        out.printf("ms/step        %.4f%n", result.msPerStep());
        out.printf("final loss     %.4f%n", result.finalLoss());
        out.printf("test accuracy  %.4f%n", result.testAccuracy());
        out.printf("acc per epoch  %s%n", Report.epochAccuracies(result.epochs()));
        if (cfg.skipsNonFinite()) {
            out.printf("skipped steps  %d (non-finite loss or gradient, --on-nan skip)%n", result.skippedSteps());
        }
        if (result.stoppedEarlyAfter() > 0) {
            out.printf("early stop     after epoch %d: the epoch loss did not improve by more than %s for %d epochs%n",
                    result.stoppedEarlyAfter(), plain(cfg.minDelta()), cfg.patience());
        }
        if (!result.complete()) {
            out.printf("paused         after epoch %d; continue with: jgrad train --resume %s%n",
                    result.epochs().get(result.epochs().size() - 1).epoch(), dir);
        }
        Report.perClass(out, result.evaluation(), names);
        out.flush();
        Map<String, Object> metrics = metrics(cfg, result, loaded, resume);
        if (metricsJson != null) {
            writeJson(metricsJson, metrics);
        }
        if (dir != null) {
            Files.createDirectories(dir);
            writeJson(dir.resolve("metrics.json"), metrics);
            saveWeights(dir.resolve("model.safetensors"), cfg, result);
            if (result.lossHistory().length > 0) {
                Charts.lossCurve(dir.resolve("loss.png"), result.lossHistory(),
                        "jgrad " + cfg.model() + " on " + result.device() + ": training loss");
            }
            boolean accuracy = accuracyCurve(dir.resolve("accuracy.png"), cfg, result);
            PredictionGrid.write(dir.resolve("predictions.png"), data, result.evaluation().predictions(), names);
            out.printf("saved          %s (checkpoint.safetensors, model.safetensors, loss.png, %spredictions.png, "
                    + "metrics.json)%n", dir, accuracy ? "accuracy.png, " : "");
        }
        result.close();
        return 0;
    }

    /**
     * Test accuracy after each epoch (steps-mode runs count notional epochs of the training set), in
     * percent; false when the run ended before its first epoch did.
     */
    static boolean accuracyCurve(Path png, TrainConfig cfg, TrainResult result) throws java.io.IOException {
        List<jgrad.train.EpochStats> epochs = result.epochs();
        if (epochs.isEmpty()) {
            return false;
        }
        double[] x = new double[epochs.size()];
        double[] y = new double[epochs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = epochs.get(i).epoch();
            y[i] = 100 * epochs.get(i).testAccuracy();
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("test accuracy after each epoch", new double[][] {x, y});
        Charts.lineChart(png, "jgrad " + cfg.model() + " on " + result.device() + ": test accuracy", "epoch",
                "test accuracy (%)", series);
        return true;
    }

    /** The options beyond the seed's, in one line; empty when none is in use. */
    static String extras(TrainConfig cfg, TrainData data) {
        List<String> parts = new ArrayList<>();
        if (cfg.optimizer().equals("momentum")) {
            parts.add("momentum " + plain(cfg.momentum()));
        }
        if (cfg.weightDecay() > 0) {
            parts.add("weight decay " + plain(cfg.weightDecay()));
        }
        if (cfg.lrSchedule().equals("cosine")) {
            parts.add("cosine lr per epoch, T_max " + (cfg.tMax() > 0 ? cfg.tMax() : cfg.totalEpochs(data.trainCount()))
                    + " epochs");
        }
        if (!cfg.augment().equals("none")) {
            parts.add("augment " + cfg.augment() + " (host)");
        }
        if (cfg.patience() > 0) {
            parts.add("early stopping: patience " + cfg.patience() + ", min delta " + plain(cfg.minDelta()));
        }
        if (!data.normalization().isIdentity()) {
            parts.add("inputs normalised per channel (mean " + java.util.Arrays.toString(data.normalization().mean())
                    + ", std " + java.util.Arrays.toString(data.normalization().std()) + ")");
        }
        return String.join(", ", parts);
    }

    /** 5e-4 as "0.0005", not "5.0E-4". */
    static String plain(float v) {
        return new java.math.BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    static String describeNet(TrainConfig cfg, TrainData data) {
        if (TrainConfig.isResNet(cfg.model())) {
            return data.shape() + " input, " + cfg.stem() + " stem, " + data.classes() + " classes";
        }
        StringBuilder sb = new StringBuilder();
        if (cfg.model().equals("convnet")) {
            sb.append(data.shape()).append(" conv").append(ConvNet.FILTERS).append('x').append(ConvNet.KERNEL)
                    .append('x').append(ConvNet.KERNEL).append("-pool2");
        } else {
            sb.append(data.features());
        }
        for (int h : cfg.hidden()) {
            sb.append('-').append(h);
        }
        return sb.append('-').append(data.classes()).append(' ').append(cfg.activation()).toString();
    }

    static Map<String, Object> metrics(TrainConfig cfg, TrainResult r, Datasets.Loaded loaded, Checkpoint resume) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", cfg.model());
        m.put("dataset", loaded.spec().name());
        m.put("image_shape", new int[] {loaded.data().shape().channels(), loaded.data().shape().height(),
            loaded.data().shape().width()});
        m.put("device", r.device());
        m.put("steps", r.steps());
        m.put("train_seconds", r.trainSeconds());
        m.put("ms_per_step", r.msPerStep());
        m.put("final_loss", r.finalLoss());
        m.put("test_accuracy", r.testAccuracy());
        m.put("complete", r.complete());
        m.put("skipped_steps", r.skippedSteps());
        m.put("resumed_from_step", resume == null ? null : resume.step());
        Map<String, Object> stop = new LinkedHashMap<>();
        stop.put("patience", cfg.patience());
        stop.put("min_delta", cfg.minDelta());
        stop.put("stopped_after_epoch", r.stoppedEarlyAfter() > 0 ? r.stoppedEarlyAfter() : null);
        m.put("early_stopping", stop);
        m.put("epochs", Report.epochsJson(r.epochs()));
        Report.putEvaluation(m, r.evaluation(), loaded.spec().classNames());
        m.put("config", cfg);
        m.put("loss_history", r.lossHistory());
        return m;
    }

    static void writeJson(Path file, Object value) throws java.io.IOException {
        byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(file, bytes);
    }

    static void saveWeights(Path file, TrainConfig cfg, TrainResult r) throws java.io.IOException {
        List<NamedTensor> tensors = new ArrayList<>();
        List<Parameter> all = new ArrayList<>(r.model().parameters());
        all.addAll(r.model().buffers());
        for (Parameter p : all) {
            tensors.add(new NamedTensor(p.name(), p.tensor().shape(), p.tensor().toArray()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "jgrad");
        meta.put("model", cfg.model());
        meta.put("hidden", java.util.Arrays.toString(cfg.hidden()));
        meta.put("activation", cfg.activation());
        meta.put("batch_norm", Boolean.toString(cfg.batchNorm()));
        if (TrainConfig.isResNet(cfg.model())) {
            meta.put("stem", cfg.stem());
        }
        Safetensors.write(file, tensors, meta);
    }
}
