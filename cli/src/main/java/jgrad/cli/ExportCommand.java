package jgrad.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import jgrad.cpu.CpuDevice;
import jgrad.data.DatasetSpec;
import jgrad.data.Normalization;
import jgrad.io.AtomicFiles;
import jgrad.nn.Sequential;
import jgrad.onnx.OnnxExport;
import jgrad.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jgrad export}: a checkpoint's model as a file other tools run (ONNX). */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a checkpoint's model in eval mode for other tools: --format onnx gives an ONNX model "
                + "(opset " + OnnxExport.OPSET + ", IR version " + OnnxExport.IR_VERSION + ") for ONNX Runtime, "
                + "TensorRT and the like, with a dynamic batch dimension.",
                "Its input 'input' is pixels scaled to [0, 1] (byte / 255), NCHW for the image models, flat rows "
                + "for mlp; a run's --normalize mean-std is folded into the graph's first step (and stated in "
                + "its metadata). Its output 'logits' holds one logit per class. Dropout is left out."})
final class ExportCommand implements Callable<Integer> {
    static final java.util.List<String> FORMATS = java.util.List.of("onnx");

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "Directory holding checkpoint.safetensors (a train --out DIR), or the file itself.")
    Path checkpoint;

    @Option(names = "--format", required = true, description = "What to write: onnx.")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "The file to write, e.g. model.onnx; replaced atomically if it exists, its folder made "
                    + "if missing.")
    Path out;

    @Override
    public Integer call() throws Exception {
        validate();
        Checkpoint ckpt = Checkpoint.read(checkpoint);
        DatasetSpec trainedOn = Datasets.specFor(ckpt, null);
        Normalization normalization = Datasets.normalizationOf(ckpt, trainedOn.shape().channels());
        byte[] bytes;
        String model = ckpt.config().model();
        try (Sequential net = ckpt.buildModel(CpuDevice.get(), trainedOn.shape(), trainedOn.classes())) {
            net.train(false);
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("model", model);
            meta.put("dataset", trainedOn.name());
            meta.put("classes", json.writeValueAsString(trainedOn.classNames()));
            meta.put("epoch", Integer.toString(ckpt.epoch()));
            meta.put("step", Integer.toString(ckpt.step()));
            meta.put("config", json.writeValueAsString(ckpt.config()));
            String description = description(model, trainedOn.name(), ckpt.epoch(), ckpt.step(),
                    ckpt.file().getFileName());
            bytes = OnnxExport.export(net, new OnnxExport.Inputs(trainedOn.shape(), normalization),
                    new OnnxExport.About(Version.get(), description, meta)).toByteArray();
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(out, bytes);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "jgrad export: %s (%s, epoch %d, step %d) -> %s: ONNX opset %d, %.1f MB, input %s, "
                        + "normalisation %s%n", ckpt.file(), model, ckpt.epoch(), ckpt.step(), out, OnnxExport.OPSET,
                bytes.length / 1e6, trainedOn.shape() + " pixels in [0, 1]",
                normalization.isIdentity() ? "none" : "mean-std (folded into the graph)");
        o.flush();
        return 0;
    }

    /** The start of the ONNX model's doc_string: what was trained, how long, and from which file. */
    static String description(String model, String dataset, int epoch, int step, Path file) {
        return "A jgrad " + model + " trained on " + dataset + " (" + Words.count(epoch, "epoch") + ", "
                + Words.count(step, "step") + "), exported in eval mode from " + file + ".";
    }

    /** All checks of the options, before the checkpoint is read. */
    private void validate() {
        if (!FORMATS.contains(format.trim().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown --format '" + format + "' (expected " + String.join(", ", FORMATS)
                    + ")");
        }
        Checks.checkpoint("--checkpoint", checkpoint);
        Checks.outputFile("--out", out);
    }
}
