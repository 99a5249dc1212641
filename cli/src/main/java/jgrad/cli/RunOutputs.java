package jgrad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.io.AtomicFiles;
import jgrad.train.Checkpoint;
import jgrad.train.TorchWeights;
import jgrad.train.TrainConfig;
import jgrad.train.TrainResult;

/**
 * What {@code train --out DIR} keeps beside the checkpoint: metrics.json, loss.png, accuracy.png,
 * predictions.png and, for the conv models, filters.png after every epoch (so an interrupted run keeps
 * the outputs of its completed epochs), and model.safetensors (PyTorch's state_dict layout) at the
 * end. Every file is written atomically.
 */
final class RunOutputs {
    private RunOutputs() {}

    /**
     * Writes the outputs of {@code result} into {@code dir}; model.safetensors only when the result
     * holds the model (the final result, not an epoch's snapshot).
     *
     * @return the names of the files written, in the order the summary lists them
     */
    static List<String> write(Path dir, TrainConfig cfg, TrainResult result, Datasets.Loaded loaded,
                              Checkpoint resume) throws IOException {
        Files.createDirectories(dir);
        List<String> written = new ArrayList<>(List.of(Checkpoint.FILE));
        writeJson(dir.resolve("metrics.json"), metrics(cfg, result, loaded, resume));
        if (result.model() != null) {
            saveWeights(dir.resolve("model.safetensors"), cfg, result, loaded.data().normalization());
            written.add("model.safetensors");
        }
        if (result.lossHistory().length > 0) {
            Charts.lossCurve(dir.resolve("loss.png"), result.lossHistory(),
                    "jgrad " + cfg.model() + " on " + result.device() + ": training loss");
            written.add("loss.png");
        }
        if (accuracyCurve(dir.resolve("accuracy.png"), cfg, result)) {
            written.add("accuracy.png");
        }
        PredictionGrid.write(dir.resolve("predictions.png"), "jgrad " + cfg.model() + " on " + result.device()
                + ": test predictions on " + loaded.spec().name(), loaded.data(), result.evaluation().predictions(),
                loaded.spec().classNames());
        written.add("predictions.png");
        FilterGrid.Panel filters = firstLayer(dir, cfg, result, loaded.data());
        if (filters != null) {
            FilterGrid.write(dir.resolve("filters.png"), "jgrad " + cfg.model() + " on " + result.device()
                    + ": first-layer filters", List.of(filters));
            written.add("filters.png");
        }
        written.add("metrics.json");
        return written;
    }

    /**
     * Test accuracy after each epoch (steps-mode runs count notional epochs of the training set), in
     * percent; false when the run ended before its first epoch did.
     */
    static boolean accuracyCurve(Path png, TrainConfig cfg, TrainResult result) throws IOException {
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

    /**
     * What filters.png shows: the first convolution's filters (the book's ch. 7.6 picture), from the
     * final model or, for an epoch's snapshot (no model), from the checkpoint just written beside it;
     * null for the MLP.
     */
    static FilterGrid.Panel firstLayer(Path dir, TrainConfig cfg, TrainResult result, jgrad.train.TrainData data)
            throws IOException {
        Map.Entry<String, int[]> first = jgrad.train.ModelShapes.of(cfg, data.shape(), data.classes()).parameters()
                .entrySet().stream().filter(e -> e.getValue().length == 4).findFirst().orElse(null);
        if (first == null) {
            return null;
        }
        float[] weights;
        if (result.model() != null) {
            weights = result.model().parameters().stream().filter(p -> p.name().equals(first.getKey())).findFirst()
                    .orElseThrow().tensor().toArray();
        } else {
            String stored = "model." + first.getKey();
            weights = jgrad.io.Safetensors.readF32(dir.resolve(Checkpoint.FILE), java.util.Set.of(stored)).get(stored)
                    .data();
        }
        int[] s = first.getValue();
        String heading = first.getKey() + ": " + s[0] + " filters of " + s[1] + "×" + s[2] + "×" + s[3] + " after "
                + Words.count(result.steps(), "step");
        return new FilterGrid.Panel(heading, weights, s);
    }

    static Map<String, Object> metrics(TrainConfig cfg, TrainResult r, Datasets.Loaded loaded, Checkpoint resume) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", cfg.model());
        m.put("dataset", loaded.spec().name());
        m.put("image_shape", new int[] {loaded.data().shape().channels(), loaded.data().shape().height(),
            loaded.data().shape().width()});
        m.put("device", r.device());
        // The simulator's times are host time: a reader of the JSON must not take them for a GPU's.
        m.put("simulated", jgrad.cuda.CudaProbe.isSimulator(r.device()));
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

    static void writeJson(Path file, Object value) throws IOException {
        byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(file, bytes);
    }

    /**
     * The final weights in PyTorch's state_dict layout ({@link TorchWeights}), with what another tool
     * needs to use them: the network's description and the input scaling (pixels / 255, then, with
     * --normalize mean-std, per channel {@code (x - mean) / std}).
     */
    static void saveWeights(Path file, TrainConfig cfg, TrainResult r, jgrad.data.Normalization inputs)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", cfg.model());
        meta.put("hidden", java.util.Arrays.toString(cfg.hidden()));
        meta.put("activation", cfg.activation());
        meta.put("batch_norm", Boolean.toString(cfg.batchNorm()));
        if (TrainConfig.isResNet(cfg.model())) {
            meta.put("stem", cfg.stem());
        }
        meta.put("normalize", inputs.isIdentity() ? "none" : "mean-std");
        if (!inputs.isIdentity()) {
            meta.put("mean", java.util.Arrays.toString(inputs.mean()));
            meta.put("std", java.util.Arrays.toString(inputs.std()));
        }
        TorchWeights.write(file, r.model(), r.steps(), meta);
    }
}
