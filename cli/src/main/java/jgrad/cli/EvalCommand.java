package jgrad.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jgrad.data.DatasetSpec;
import jgrad.device.Devices;
import jgrad.nn.Sequential;
import jgrad.train.Checkpoint;
import jgrad.train.CheckpointException;
import jgrad.train.ModelShapes;
import jgrad.train.TorchWeights;
import jgrad.train.TrainConfig;
import jgrad.train.Evaluation;
import jgrad.train.TrainData;
import jgrad.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jgrad eval}: test accuracy of a checkpoint, per class and overall, with the confusion matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a checkpoint (or a model.safetensors) on a test set: accuracy, per-class accuracy, confusion matrix.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Directory holding checkpoint.safetensors (a train --out DIR), or the file itself.")
    Path checkpoint;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Instead of a checkpoint: a model.safetensors (PyTorch's state_dict layout or jgrad's older "
                    + "one) whose metadata names the network; evaluated on the whole test set.")
    Path weights;

    @Option(names = "--dataset", description = "Test set (default: the one the checkpoint was trained on).")
    String dataset;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--data-dir", description = "Data directory (default: $JGRAD_DATA or ~/.cache/jgrad).")
    Path dataDir;

    @Option(names = "--metrics-json", description = "Write the results as JSON to this file.")
    Path metricsJson;

    /**
     * A --dataset whose images or classes differ from the training set's is a usage error named as
     * such, not a tensor of the file "not matching its config" (which reads as a damaged checkpoint).
     */
    static void fits(DatasetSpec evaluatedOn, DatasetSpec trainedOn) {
        if (!evaluatedOn.shape().equals(trainedOn.shape()) || evaluatedOn.classes() != trainedOn.classes()) {
            throw new IllegalArgumentException("--dataset " + evaluatedOn.name() + " (" + evaluatedOn.shape()
                    + " images, " + evaluatedOn.classes() + " classes) does not fit this checkpoint's model, trained on "
                    + trainedOn.name() + " (" + trainedOn.shape() + ", " + trainedOn.classes() + " classes)");
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        if (weights != null) {
            return evaluateWeights();
        }
        Checkpoint ckpt = Checkpoint.read(checkpoint);
        // The file's tensors against its config, from the data set's recorded shape: before the data
        // or a model of the config's size takes any memory.
        DatasetSpec evaluatedOn = Datasets.specFor(ckpt, dataset);
        fits(evaluatedOn, Datasets.specFor(ckpt, null));
        ckpt.checkTensors(evaluatedOn.shape(), evaluatedOn.classes());
        Datasets.Loaded loaded = Datasets.forCheckpoint(ckpt, dataset, dataDir);
        TrainData data = loaded.data();
        Devices.Selection selection = Devices.select(device);
        int[] predictions;
        try (Sequential model = ckpt.buildModel(selection.device(), data.shape(), data.classes())) {
            predictions = Trainer.predict(model, selection.device(), data.testX(), data.testCount(), data.features());
        } finally {
            if (selection.device() instanceof AutoCloseable closeable) {
                closeable.close();  // a CUDA device: handles, stream, context (the CPU device is shared)
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoint", ckpt.file().toString());
        m.put("dataset", loaded.spec().name());
        m.put("epoch", ckpt.epoch());
        m.put("step", ckpt.step());
        return report(String.format("%s (epoch %d, step %d)", ckpt.file(), ckpt.epoch(), ckpt.step()), loaded,
                selection, predictions, m);
    }

    /**
     * --weights: the network from the file's metadata, its tensors checked against that network
     * before the data set loads, then the whole test set.
     */
    private int evaluateWeights() throws Exception {
        TrainConfig cfg = TorchWeights.describedConfig(weights);
        DatasetSpec on = DatasetSpec.byName(dataset == null ? "mnist" : dataset.trim());
        ModelShapes shapes;
        try {
            shapes = ModelShapes.of(cfg, on.shape(), on.classes());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("weights " + weights + " describe a " + cfg.model() + " that cannot be made for "
                    + on.shape() + " images and " + on.classes() + " classes: " + e.getMessage(), e);
        }
        TorchWeights stored = TorchWeights.read(weights, shapes);
        Datasets.Loaded loaded = Datasets.load(on.name(), dataDir, true, TorchWeights.inputScaling(weights),
                DataLimits.NONE);
        TrainData data = loaded.data();
        Devices.Selection selection = Devices.select(device);
        int[] predictions;
        try (Sequential model = Trainer.buildModel(cfg, selection.device(), data.shape(), data.classes())) {
            stored.copyInto(model);
            predictions = Trainer.predict(model, selection.device(), data.testX(), data.testCount(), data.features());
        } finally {
            if (selection.device() instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("weights", weights.toString());
        m.put("dataset", loaded.spec().name());
        return report(weights + " (" + cfg.model() + ")", loaded, selection, predictions, m);
    }

    private int report(String what, Datasets.Loaded loaded, Devices.Selection selection, int[] predictions,
                       Map<String, Object> m) throws java.io.IOException {
        TrainData data = loaded.data();
        Evaluation e = Evaluation.of(predictions, data.testY(), data.classes());
        List<String> names = loaded.spec().classNames();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("jgrad eval: %s on %s test set (%d images) on %s%n", what, loaded.spec().name(), data.testCount(),
                selection.device().name());
        out.printf("test accuracy  %.4f%n", e.accuracy());
        Report.perClass(out, e, names);
        out.flush();
        if (metricsJson != null) {
            m.put("test_accuracy", e.accuracy());
            Report.putEvaluation(m, e, names);
            RunOutputs.writeJson(metricsJson, m);
        }
        return 0;
    }

    /** All checks of the options, before the checkpoint or any data is read. */
    private void validate() {
        if (checkpoint == null && weights == null) {
            throw new IllegalArgumentException("give --checkpoint DIR (a run) or --weights FILE (a model.safetensors)");
        }
        if (checkpoint != null && weights != null) {
            throw new IllegalArgumentException("--checkpoint and --weights both given: give one");
        }
        if (weights != null && !java.nio.file.Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("--weights " + weights + (java.nio.file.Files.exists(weights)
                    ? " is not a file (give the .safetensors file itself)" : ": no such file"));
        }
        if (checkpoint != null) {
            Checks.checkpoint("--checkpoint", checkpoint);
        }
        if (dataset != null) {
            Checks.dataset("--dataset", dataset);
        }
        Devices.check(device, jgrad.device.KernelChoice.AUTO);
        Checks.dataDir(dataDir);
        Checks.outputFile("--metrics-json", metricsJson);
    }
}
