package jgrad.onnx;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import jgrad.device.UnaryOp;
import jgrad.io.NamedTensor;
import jgrad.nn.Activation;
import jgrad.nn.AvgPool2d;
import jgrad.nn.BasicBlock;
import jgrad.nn.BatchNorm;
import jgrad.nn.Conv2d;
import jgrad.nn.Dropout;
import jgrad.nn.Flatten;
import jgrad.nn.GlobalAvgPool2d;
import jgrad.nn.Linear;
import jgrad.nn.MaxPool2d;
import jgrad.nn.Module;
import jgrad.nn.Sequential;
import jgrad.nn.Unflatten;
import jgrad.onnx.OnnxGraph.Attribute;
import jgrad.train.TorchWeights;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;

/**
 * A jgrad model in eval mode as an ONNX model: opset {@value #OPSET}, IR version {@value #IR_VERSION}
 * (the newest that ONNX 1.12's checker, Debian's python3-onnx, accepts; ONNX Runtime reads it too).
 *
 * <p>The layers are walked, not the model's name matched, so any network built of these exports:
 * Linear (Gemm, weight {@code [out, in]} with transB as PyTorch's export writes it), Conv2d (Conv),
 * BatchNorm (BatchNormalization with the running statistics), Activation (Relu, Sigmoid, Tanh),
 * MaxPool2d (MaxPool), AvgPool2d (AveragePool, padding counted as jgrad counts it), GlobalAvgPool2d
 * (GlobalAveragePool), Flatten (Flatten), Unflatten (none at the input, which is declared NCHW;
 * Reshape elsewhere), Dropout (nothing: the identity in eval mode), BasicBlock (its layers, Add, Relu)
 * and Sequential (its layers in order). Anything else is an {@link OnnxExportException} naming the layer.
 * Initializers carry the names and shapes of the PyTorch state_dict that model.safetensors holds.
 *
 * <p>The input normalisation is folded in: the graph takes pixels scaled to [0, 1] (what jgrad reads
 * before normalising) and, for a run trained with mean-std statistics, starts with Sub(mean) and
 * Mul(1 / std) per channel, the same float operations jgrad applies, so the logits agree exactly as
 * far as that step goes. Folding the statistics into the first convolution's weights instead would be
 * wrong at its zero padding (a padded zero is not a normalised black pixel). metadata_props states the
 * input, the statistics and that they are folded, for tools that read it.
 */
public final class OnnxExport {
    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";

    /**
     * What the model reads: one example's shape, and the normalisation that was applied to [0, 1]
     * pixels before the model saw them (the identity for none).
     */
    public record Inputs(ImageShape shape, Normalization normalization) {}

    /**
     * What the file says about itself.
     *
     * @param producerVersion jgrad's version, for producer_version
     * @param description     the model's doc_string: what was trained, on what
     * @param metadata        more metadata_props (model, data set, class names, checkpoint)
     */
    public record About(String producerVersion, String description, Map<String, String> metadata) {}

    private final OnnxGraph graph;
    private final Map<String, NamedTensor> weights;
    private String value;
    private int[] dims;  // the current value's shape without the batch dimension

    private OnnxExport(OnnxGraph graph, Map<String, NamedTensor> weights) {
        this.graph = graph;
        this.weights = weights;
    }

    /** {@code model} (its weights as they are now, its layers in eval mode) as an ONNX model. */
    public static ModelProto export(Sequential model, Inputs inputs, About about) {
        OnnxExport e = new OnnxExport(new OnnxGraph("jgrad", OUTPUT), TorchWeights.floatTensors(model));
        ImageShape shape = inputs.shape();
        boolean images = firstLayer(model) instanceof Unflatten;
        int[] inputDims = images ? new int[] {shape.channels(), shape.height(), shape.width()}
                : new int[] {shape.pixels()};
        e.value = e.graph.input(INPUT, inputDims);
        e.dims = inputDims;
        e.normalize(inputs.normalization(), shape, images);
        e.emit("", model);
        if (e.dims.length != 1) {
            throw new OnnxExportException("the model ends in a value of shape " + shown(e.dims)
                    + " per example; a classifier ends in one logit per class");
        }
        e.graph.output(e.value, OUTPUT, e.dims);
        String io = "Input '" + INPUT + "': float32 " + shown(inputDims, true) + ", "
                + (images ? "images channels first, " : "flat rows of " + shape + " images, ")
                + "pixels scaled to [0, 1] (byte / 255)" + (inputs.normalization().isIdentity() ? ""
                : "; the per-channel mean-std normalisation is the graph's first step")
                + ". Output '" + OUTPUT + "': float32 " + shown(e.dims, true) + ", logits (no softmax).";
        e.graph.proto().setDocString(io);
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("jgrad").setProducerVersion(about.producerVersion())
                .setDocString(about.description() + " " + io).setGraph(e.graph.proto());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("input", INPUT + ": float32 " + shown(inputDims, true) + ", pixels in [0, 1] (byte / 255)");
        meta.put("output", OUTPUT + ": float32 " + shown(e.dims, true) + ", logits; argmax is the predicted class");
        Normalization n = inputs.normalization();
        if (n.isIdentity()) {
            meta.put("normalization", "none");
        } else {
            meta.put("normalization", "mean-std, folded in: the graph computes (input - mean) * (1 / std) per channel");
            meta.put("normalization_mean", Arrays.toString(n.mean()));
            meta.put("normalization_std", Arrays.toString(n.std()));
        }
        meta.putAll(about.metadata());
        meta.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v).build()));
        return m.build();
    }

    private static Module firstLayer(Module m) {
        while (m instanceof Sequential s && !s.layers().isEmpty()) {
            m = s.layers().values().iterator().next();
        }
        return m;
    }

    /** Sub(mean) and Mul(1 / std), per channel: [C, 1, 1] constants for images, one per feature for flat rows. */
    private void normalize(Normalization n, ImageShape shape, boolean images) {
        if (n.isIdentity()) {
            return;
        }
        float[] mean = n.mean();
        float[] inv = new float[mean.length];
        float[] std = n.std();
        for (int c = 0; c < inv.length; c++) {
            inv[c] = 1f / std[c];  // as Normalization.applyInPlace computes it
        }
        long[] constDims = images ? new long[] {shape.channels(), 1, 1} : new long[] {shape.pixels()};
        float[] m = images ? mean : perFeature(mean, shape);
        float[] s = images ? inv : perFeature(inv, shape);
        value = graph.node("Sub", "normalize.sub", value, graph.floats("normalize.mean", constDims, m));
        value = graph.node("Mul", "normalize.mul", value, graph.floats("normalize.inv_std", constDims, s));
    }

    private static float[] perFeature(float[] perChannel, ImageShape shape) {
        float[] out = new float[shape.pixels()];
        for (int i = 0; i < out.length; i++) {
            out[i] = perChannel[i / shape.plane()];
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ layers

    private void emit(String path, Module m) {
        if (m instanceof Sequential s) {
            s.layers().forEach((name, layer) -> emit(join(path, name), layer));
        } else if (m instanceof Linear) {
            linear(path);
        } else if (m instanceof Conv2d c) {
            conv(path, c);
        } else if (m instanceof BatchNorm b) {
            batchNorm(path, b);
        } else if (m instanceof Activation a) {
            activation(path, a.op());
        } else if (m instanceof MaxPool2d p) {
            pool("MaxPool", path, p.kernel(), p.stride(), p.pad());
        } else if (m instanceof AvgPool2d p) {
            pool("AveragePool", path, p.kernel(), p.stride(), p.pad());
        } else if (m instanceof GlobalAvgPool2d) {
            requireRank(path, "GlobalAvgPool2d", 3);
            value = graph.node("GlobalAveragePool", path, value);
            dims = new int[] {dims[0], 1, 1};
        } else if (m instanceof Flatten) {
            value = graph.node("Flatten", path, new Attribute[] {Attribute.of("axis", 1L)}, value);
            dims = new int[] {Arrays.stream(dims).reduce(1, Math::multiplyExact)};
        } else if (m instanceof Unflatten u) {
            unflatten(path, u.shape());
        } else if (m instanceof Dropout) {
            return;  // the identity in eval mode
        } else if (m instanceof BasicBlock b) {
            block(path, b);
        } else {
            throw new OnnxExportException("cannot export layer '" + path + "' (" + m.getClass().getSimpleName()
                    + ") to ONNX: the exporter knows Linear, Conv2d, BatchNorm, Activation, MaxPool2d, AvgPool2d, "
                    + "GlobalAvgPool2d, Flatten, Unflatten, Dropout, BasicBlock and Sequential");
        }
    }

    private void linear(String path) {
        NamedTensor w = weight(path, "weight");  // [out, in]
        requireRank(path, "Linear", 1);
        if (dims[0] != w.shape()[1]) {
            throw new OnnxExportException("layer '" + path + "' takes " + w.shape()[1] + " features but gets "
                    + shown(dims));
        }
        value = graph.node("Gemm", path, new Attribute[] {Attribute.of("transB", 1L)}, value, initializer(w),
                initializer(weight(path, "bias")));
        dims = new int[] {w.shape()[0]};
    }

    private void conv(String path, Conv2d c) {
        NamedTensor w = weight(path, "weight");  // [out, in, k, k]
        int[] s = w.shape();
        requireRank(path, "Conv2d", 3);
        if (dims[0] != s[1]) {
            throw new OnnxExportException("layer '" + path + "' takes " + s[1] + " channels but gets " + shown(dims));
        }
        NamedTensor bias = weights.get(join(path, "bias"));
        String[] in = bias == null ? new String[] {value, initializer(w)}
                : new String[] {value, initializer(w), initializer(bias)};
        int p = c.padding();
        value = graph.node("Conv", path, new Attribute[] {Attribute.ints("kernel_shape", s[2], s[3]),
                Attribute.ints("strides", c.stride(), c.stride()), Attribute.ints("pads", p, p, p, p)}, in);
        dims = new int[] {s[0], outSize(path, dims[1], s[2], c.stride(), p), outSize(path, dims[2], s[3], c.stride(), p)};
    }

    private void batchNorm(String path, BatchNorm b) {
        if (dims.length != 1 && dims.length != 3) {
            throw new OnnxExportException("layer '" + path + "' (BatchNorm) takes [batch, features] or NCHW values, "
                    + "gets " + shown(dims));
        }
        value = graph.node("BatchNormalization", path, new Attribute[] {Attribute.of("epsilon", b.eps())}, value,
                initializer(weight(path, "weight")), initializer(weight(path, "bias")),
                initializer(weight(path, "running_mean")), initializer(weight(path, "running_var")));
    }

    private void activation(String path, UnaryOp op) {
        String onnxOp = switch (op) {
            case RELU -> "Relu";
            case SIGMOID -> "Sigmoid";
            case TANH -> "Tanh";
            default -> throw new OnnxExportException("layer '" + path + "': no ONNX activation for " + op);
        };
        value = graph.node(onnxOp, path, value);
    }

    /** MaxPool pads with -inf, AveragePool with zeros that count (count_include_pad), as jgrad's pools do. */
    private void pool(String op, String path, int kernel, int stride, int pad) {
        requireRank(path, op, 3);
        Attribute[] attrs = {Attribute.ints("kernel_shape", kernel, kernel), Attribute.ints("strides", stride, stride),
                Attribute.ints("pads", pad, pad, pad, pad), Attribute.of("ceil_mode", 0L)};
        if (op.equals("AveragePool")) {
            attrs = Arrays.copyOf(attrs, attrs.length + 1);
            attrs[attrs.length - 1] = Attribute.of("count_include_pad", 1L);
        }
        value = graph.node(op, path, attrs, value);
        dims = new int[] {dims[0], outSize(path, dims[1], kernel, stride, pad), outSize(path, dims[2], kernel, stride, pad)};
    }

    private void unflatten(String path, ImageShape shape) {
        int[] image = {shape.channels(), shape.height(), shape.width()};
        if (Arrays.equals(dims, image)) {
            return;  // already NCHW (the graph's input): Unflatten passes it through
        }
        if (dims.length != 1 || dims[0] != shape.pixels()) {
            throw new OnnxExportException("layer '" + path + "' makes " + shape + " images of " + shape.pixels()
                    + " features but gets " + shown(dims));
        }
        value = graph.node("Reshape", path, value,
                graph.longs(join(path, "shape"), -1, shape.channels(), shape.height(), shape.width()));
        dims = image;
    }

    /** conv1-bn1-relu-conv2-bn2 plus the shortcut (identity or downsample conv-BN), Add, Relu. */
    private void block(String path, BasicBlock b) {
        String x = value;
        int[] xDims = dims;
        Map<String, Module> main = b.mainPath();
        emit(join(path, "conv1"), main.get("conv1"));
        emit(join(path, "bn1"), main.get("bn1"));
        activation(join(path, "relu1"), UnaryOp.RELU);
        emit(join(path, "conv2"), main.get("conv2"));
        emit(join(path, "bn2"), main.get("bn2"));
        String h = value;
        int[] hDims = dims;
        value = x;
        dims = xDims;
        b.shortcut().forEach((name, layer) -> emit(join(path, name), layer));
        if (!Arrays.equals(dims, hDims)) {
            throw new OnnxExportException("block '" + path + "': its path gives " + shown(hDims)
                    + " but its shortcut " + shown(dims));
        }
        value = graph.node("Add", join(path, "add"), h, value);
        activation(join(path, "relu"), UnaryOp.RELU);
    }

    // ------------------------------------------------------------------------------------ helpers

    private NamedTensor weight(String path, String name) {
        NamedTensor t = weights.get(join(path, name));
        if (t == null) {
            throw new OnnxExportException("layer '" + path + "' has no tensor '" + join(path, name) + "'");
        }
        return t;
    }

    private String initializer(NamedTensor t) {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        return graph.floats(t.name(), shape, t.data());
    }

    private void requireRank(String path, String kind, int rank) {
        if (dims.length != rank) {
            throw new OnnxExportException("layer '" + path + "' (" + kind + ") takes " + (rank == 3
                    ? "NCHW images" : "[batch, features]") + " but gets " + shown(dims));
        }
    }

    private static int outSize(String path, int in, int kernel, int stride, int pad) {
        int out = (in + 2 * pad - kernel) / stride + 1;
        if (in + 2 * pad < kernel) {
            throw new OnnxExportException("layer '" + path + "': kernel " + kernel + " is larger than its padded input "
                    + (in + 2 * pad));
        }
        return out;
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String shown(int[] dims) {
        return shown(dims, false);
    }

    /** [30, 12, 12], or with the batch [batch, 30, 12, 12]. */
    private static String shown(int[] dims, boolean withBatch) {
        StringBuilder sb = new StringBuilder("[");
        if (withBatch) {
            sb.append(OnnxGraph.BATCH).append(dims.length > 0 ? ", " : "");
        }
        for (int i = 0; i < dims.length; i++) {
            sb.append(i > 0 ? ", " : "").append(dims[i]);
        }
        return sb.append(']').toString();
    }
}
