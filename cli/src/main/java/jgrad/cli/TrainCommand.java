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
import jgrad.device.Devices;
import jgrad.io.AtomicFiles;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import jgrad.nn.Parameter;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jgrad train}: trains a network on MNIST and reports time, loss and test accuracy. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a network on MNIST (defaults: the seed's two-layer net, 10 000 SGD steps).")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainOptions options = new TrainOptions();

    @Option(names = "--metrics-json", description = "Write the summary and loss history as JSON to this file.")
    Path metricsJson;

    @Option(names = "--out", description = "Directory for model.safetensors, loss.png and metrics.json.")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = options.config();
        Devices.Selection selection = options.selectDevice();
        try {
            return train(cfg, selection);
        } finally {
            if (selection.device() instanceof AutoCloseable closeable) {
                closeable.close();  // a CUDA device: handles, stream, context (the CPU device is shared)
            }
        }
    }

    private int train(TrainConfig cfg, Devices.Selection selection) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TrainData data = Datasets.mnist(options.dataDir, true);
        out.printf("jgrad train: %s %s, %s lr %s, batch %d, %d steps on %s%n", cfg.model(), describeNet(cfg, data),
                cfg.optimizer(), cfg.lr(), cfg.batchSize(), cfg.totalSteps(data.trainCount()),
                selection.device().name());
        TrainResult result;
        try (Progress progress = new Progress(out, Progress.isTerminal())) {
            result = Trainer.train(cfg, selection.device(), data, progress);
        }
        out.println();
        out.printf("device         %s%n", result.device());
        out.printf("steps          %d%n", result.steps());
        out.printf("train seconds  %.3f%n", result.trainSeconds());
        out.printf("ms/step        %.4f%n", result.msPerStep());
        out.printf("final loss     %.4f%n", result.finalLoss());
        out.printf("test accuracy  %.4f%n", result.testAccuracy());
        out.flush();
        Map<String, Object> metrics = metrics(cfg, result);
        if (metricsJson != null) {
            writeJson(metricsJson, metrics);
        }
        if (outDir != null) {
            Files.createDirectories(outDir);
            writeJson(outDir.resolve("metrics.json"), metrics);
            saveWeights(outDir.resolve("model.safetensors"), cfg, result);
            Charts.lossCurve(outDir.resolve("loss.png"), result.lossHistory(),
                    "jgrad " + cfg.model() + " on " + result.device() + ": training loss");
            out.printf("saved          %s (model.safetensors, loss.png, metrics.json)%n", outDir);
        }
        result.close();
        return 0;
    }

    static String describeNet(TrainConfig cfg, TrainData data) {
        StringBuilder sb = new StringBuilder().append(data.features());
        for (int h : cfg.hidden()) {
            sb.append('-').append(h);
        }
        return sb.append('-').append(data.classes()).append(' ').append(cfg.activation()).toString();
    }

    static Map<String, Object> metrics(TrainConfig cfg, TrainResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", cfg.model());
        m.put("device", r.device());
        m.put("steps", r.steps());
        m.put("train_seconds", r.trainSeconds());
        m.put("ms_per_step", r.msPerStep());
        m.put("final_loss", r.finalLoss());
        m.put("test_accuracy", r.testAccuracy());
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
        Safetensors.write(file, tensors, meta);
    }
}
