package jgrad.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.io.LongTensor;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import jgrad.io.Safetensors.DType;
import jgrad.nn.Module;
import jgrad.nn.Parameter;
import jgrad.tensor.Tensor;

/**
 * {@code model.safetensors}: a model's weights in PyTorch's {@code state_dict} layout, so that
 * {@code model.load_state_dict(safetensors.torch.load_file(p), strict=True)} works for the matching
 * torch.nn / torchvision definition. The engine keeps its own layout; the differences are made up
 * here, at write and read:
 * <ul>
 *   <li>a Linear weight is {@code [out, in]} in PyTorch and {@code [in, out]} in jgrad (the book's
 *       W): it is transposed both ways (the only rank-2 parameters jgrad has are Linear weights);</li>
 *   <li>every BatchNorm has an int64 0-dimensional {@code num_batches_tracked} in PyTorch, which jgrad
 *       does not keep (with momentum 0.1 PyTorch reads it only when momentum is None): written as the
 *       number of training steps, ignored on reading beyond its name, dtype and shape.</li>
 * </ul>
 * Names are jgrad's, which are torchvision's already ({@code layer2.0.downsample.0.weight}).
 *
 * <p>The metadata's {@code format} says which layout a file has: {@value #FORMAT} (as Hugging Face
 * marks PyTorch state dicts) for this one, {@value #FORMAT_JGRAD} for files jgrad wrote before
 * (jgrad's names and shapes, no counters), which still load. A file without a format (as
 * {@code safetensors.torch.save_file} writes by default) is read as PyTorch's. The training
 * checkpoint ({@link Checkpoint}) keeps jgrad's layout: it is jgrad's own resumable state, with
 * optimizer slots that have no PyTorch name.
 *
 * <p>A file is untrusted input: its header's names, dtypes and shapes are compared with the ones
 * {@link ModelShapes} computes for the config before any tensor data is read, and the first
 * disagreement is one {@link CheckpointException} line naming the tensor.
 */
public final class TorchWeights {
    /** The metadata format of PyTorch's layout. */
    public static final String FORMAT = "pt";
    /** The metadata format of model.safetensors files written before: jgrad's own layout. */
    public static final String FORMAT_JGRAD = "jgrad";
    static final String BATCHES_TRACKED = "num_batches_tracked";
    private static final String RUNNING_VAR = ".running_var";

    /** One entry of a state dict: its dtype and shape in the file. */
    public record Entry(DType dtype, int[] shape) {
        @Override
        public String toString() {
            return dtype + " " + Arrays.toString(shape);
        }
    }

    private final Map<String, float[]> weights;

    private TorchWeights(Map<String, float[]> weights) {
        this.weights = weights;
    }

    /**
     * The state dict PyTorch's definition of this model has, name → dtype and shape, in
     * {@code state_dict()} order for each module (weight, bias, running_mean, running_var,
     * num_batches_tracked).
     */
    public static Map<String, Entry> stateDict(ModelShapes shapes) {
        Map<String, Entry> out = new LinkedHashMap<>();
        Map<String, int[]> all = new LinkedHashMap<>(shapes.parameters());
        all.putAll(shapes.buffers());
        for (Map.Entry<String, int[]> e : all.entrySet()) {
            out.put(e.getKey(), new Entry(DType.F32, torchShape(e.getValue())));
        }
        Map<String, Entry> ordered = new LinkedHashMap<>();
        for (String name : sortedByModule(out.keySet())) {
            ordered.put(name, out.get(name));
            if (name.endsWith(RUNNING_VAR)) {
                ordered.put(counterOf(name), new Entry(DType.I64, new int[0]));
            }
        }
        return Collections.unmodifiableMap(ordered);
    }

    /** Parameters come before buffers in ModelShapes; PyTorch lists each module's tensors together. */
    private static List<String> sortedByModule(Iterable<String> names) {
        Map<String, List<String>> byModule = new LinkedHashMap<>();
        for (String n : names) {
            byModule.computeIfAbsent(n.substring(0, n.lastIndexOf('.')), k -> new ArrayList<>()).add(n);
        }
        List<String> out = new ArrayList<>();
        byModule.values().forEach(out::addAll);
        return out;
    }

    private static String counterOf(String runningVar) {
        return runningVar.substring(0, runningVar.length() - RUNNING_VAR.length() + 1) + BATCHES_TRACKED;
    }

    private static int[] torchShape(int[] jgradShape) {
        return jgradShape.length == 2 ? new int[] {jgradShape[1], jgradShape[0]} : jgradShape.clone();
    }

    /** Row-major [rows, cols] to [cols, rows]. */
    private static float[] transpose(float[] data, int rows, int cols) {
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[r * cols + c];
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ write

    /**
     * Writes {@code model}'s parameters and buffers in PyTorch's layout, with {@code metadata} and
     * {@code format} {@value #FORMAT}.
     *
     * @param trainingSteps the value of every {@code num_batches_tracked}
     */
    public static void write(Path file, Module model, long trainingSteps, Map<String, String> metadata)
            throws IOException {
        List<NamedTensor> floats = new ArrayList<>(floatTensors(model).values());
        List<LongTensor> counters = new ArrayList<>();
        for (NamedTensor t : floats) {
            if (t.name().endsWith(RUNNING_VAR)) {
                counters.add(LongTensor.scalar(counterOf(t.name()), trainingSteps));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", FORMAT);
        Safetensors.write(file, floats, counters, meta);
    }

    /**
     * {@code model}'s parameters and buffers by name, as PyTorch holds them (Linear weights
     * {@code [out, in]}), without the int64 counters: what {@link #write} stores, and what the ONNX
     * export names its initializers after.
     */
    public static Map<String, NamedTensor> floatTensors(Module model) {
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        List<Parameter> all = new ArrayList<>(model.parameters());
        all.addAll(model.buffers());
        for (Parameter p : all) {
            int[] shape = p.tensor().shape();
            float[] data = p.tensor().toArray();
            if (shape.length == 2) {
                data = transpose(data, shape[0], shape[1]);
            }
            out.put(p.name(), new NamedTensor(p.name(), torchShape(shape), data));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ read

    /**
     * Reads the weights of the model {@code shapes} describes from {@code file}, in either layout
     * (see the class comment). The header is checked against the expected names, dtypes and shapes
     * before any data is read; the first disagreement is a one-line {@link CheckpointException}.
     */
    public static TorchWeights read(Path file, ModelShapes shapes) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("no weights file at " + file);
        }
        Safetensors.Header header;
        try {
            header = Safetensors.readHeader(file);
        } catch (IOException e) {
            throw new CheckpointException("weights " + file + " are unreadable: " + e.getMessage(), e);
        }
        String format = header.metadata().get("format");
        notACheckpoint(file, format);
        boolean torchLayout = format == null || FORMAT.equals(format);
        if (!torchLayout && !FORMAT_JGRAD.equals(format)) {
            throw new CheckpointException("weights " + file + " have metadata format '" + StoredConfig.clip(format)
                    + "'; expected " + FORMAT + " (PyTorch's state_dict layout) or " + FORMAT_JGRAD
                    + " (jgrad's older layout)");
        }
        Map<String, Entry> expected = torchLayout ? stateDict(shapes) : jgradLayout(shapes);
        checkHeader(file, header, expected, torchLayout ? "PyTorch's state_dict" : "jgrad's older layout");
        Map<String, int[]> jgradShapes = new LinkedHashMap<>(shapes.parameters());
        jgradShapes.putAll(shapes.buffers());
        Safetensors.Contents contents;
        try {
            contents = Safetensors.readF32(file, jgradShapes.keySet());
        } catch (IOException e) {
            throw new CheckpointException("weights " + file + " are unreadable: " + e.getMessage(), e);
        }
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (NamedTensor t : contents.tensors()) {
            int[] shape = jgradShapes.get(t.name());
            weights.put(t.name(), torchLayout && shape.length == 2 ? transpose(t.data(), shape[1], shape[0]) : t.data());
        }
        return new TorchWeights(weights);
    }

    private static Map<String, Entry> jgradLayout(ModelShapes shapes) {
        Map<String, Entry> out = new LinkedHashMap<>();
        shapes.parameters().forEach((n, s) -> out.put(n, new Entry(DType.F32, s)));
        shapes.buffers().forEach((n, s) -> out.put(n, new Entry(DType.F32, s)));
        return out;
    }

    private static void checkHeader(Path file, Safetensors.Header header, Map<String, Entry> expected, String layout) {
        Map<String, Safetensors.TensorInfo> stored = new LinkedHashMap<>();
        header.tensors().forEach(t -> stored.put(t.name(), t));
        String against = "weights " + file + " do not fit the model (" + layout + "): tensor '";
        for (Map.Entry<String, Entry> e : expected.entrySet()) {
            Safetensors.TensorInfo t = stored.get(e.getKey());
            if (t == null) {
                throw new CheckpointException(against + e.getKey() + "' should be " + e.getValue() + " but is missing");
            }
            if (t.dtype() != e.getValue().dtype() || !Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new CheckpointException(against + e.getKey() + "' should be " + e.getValue() + " but is "
                        + t.dtype() + " " + Arrays.toString(t.shape()) + " in the file");
            }
        }
        for (Safetensors.TensorInfo t : header.tensors()) {
            if (!expected.containsKey(t.name())) {
                throw new CheckpointException(against + StoredConfig.clip(t.name()) + "' " + t.dtype() + " "
                        + Arrays.toString(t.shape()) + " is stored but not part of that model");
            }
        }
    }

    /**
     * A run's checkpoint.safetensors given where its model.safetensors belongs (they lie side by
     * side) is named as such, with where it goes, rather than refused for its format or metadata.
     */
    private static void notACheckpoint(Path file, String format) {
        if (format != null && format.startsWith("jgrad-checkpoint/")) {
            throw new CheckpointException(file + " is a training checkpoint (" + StoredConfig.clip(format) + "), not a "
                    + "model file: give its folder to train --resume or eval --checkpoint, or give the run's "
                    + "model.safetensors here");
        }
    }

    /**
     * The network a weights file says it holds, from its metadata ({@code model}, and where given
     * {@code hidden}, {@code activation}, {@code batch_norm}, {@code stem}; jgrad writes them all, a
     * PyTorch user can pass them to {@code save_file(..., metadata=...)}), with the seed job's
     * defaults for everything else; each value is checked as a checkpoint's config is.
     */
    public static TrainConfig describedConfig(Path file) {
        Map<String, String> meta;
        try {
            meta = Safetensors.readHeader(file).metadata();
        } catch (IOException e) {
            throw new CheckpointException("weights " + file + " are unreadable: " + e.getMessage(), e);
        }
        notACheckpoint(file, meta.get("format"));
        String model = meta.get("model");
        if (model == null) {
            throw new CheckpointException("weights " + file + " do not say which network they hold (no 'model' in "
                    + "their metadata; jgrad writes it, and PyTorch's save_file takes metadata={\"model\": ...})");
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode cfg = json.valueToTree(TrainConfig.seedDefaults());
        cfg.put("model", model);
        cfg.set("hidden", json.valueToTree(TrainConfig.defaultHidden(model)));
        cfg.put("activation", meta.getOrDefault("activation", TrainConfig.defaultActivation(model)));
        cfg.put("init", TrainConfig.defaultInit(model));
        cfg.put("stem", meta.getOrDefault("stem", "seed"));
        String batchNorm = meta.getOrDefault("batch_norm", "false");
        if (!batchNorm.equals("true") && !batchNorm.equals("false")) {
            throw new CheckpointException("weights " + file + " have bad metadata: 'batch_norm' is '"
                    + StoredConfig.clip(batchNorm) + "'; allowed: true or false");
        }
        cfg.put("batchNorm", Boolean.parseBoolean(batchNorm));
        try {
            if (meta.containsKey("hidden") && !TrainConfig.isResNet(model)) {  // a ResNet has no hidden widths
                cfg.set("hidden", json.readTree(meta.get("hidden")));
            }
            return StoredConfig.read(cfg);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CheckpointException("weights " + file + " have bad metadata: 'hidden' is '"
                    + StoredConfig.clip(meta.get("hidden")) + "'; allowed: a list of widths", e);
        } catch (IllegalArgumentException e) {
            String what = e instanceof ConfigValueException c ? "'" + c.field() + "' is " + StoredConfig.clip(c.value())
                    + "; allowed: " + c.allowed() : e.getMessage();
            throw new CheckpointException("weights " + file + " have bad metadata: " + what, e);
        }
    }

    /** How the file says its inputs were scaled: {@code none} (pixels / 255, also when unsaid) or {@code mean-std}. */
    public static String inputScaling(Path file) {
        try {
            return Safetensors.readHeader(file).metadata().getOrDefault("normalize", "none");
        } catch (IOException e) {
            throw new CheckpointException("weights " + file + " are unreadable: " + e.getMessage(), e);
        }
    }

    /** Copies the weights into {@code model}, whose tensors must be the ones the file was checked against. */
    public void copyInto(Module model) {
        List<Parameter> all = new ArrayList<>(model.parameters());
        all.addAll(model.buffers());
        for (Parameter p : all) {
            float[] data = weights.get(p.name());
            if (data == null || data.length != elements(p.tensor())) {
                throw new IllegalStateException("the model's " + p.name() + " was not in the checked weights");
            }
            p.tensor().copyFrom(data);
        }
    }

    private static long elements(Tensor t) {
        return NamedTensor.elementCount(t.shape());
    }
}
