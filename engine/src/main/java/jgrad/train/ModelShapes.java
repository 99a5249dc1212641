package jgrad.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.data.ImageShape;
import jgrad.nn.BasicBlock;
import jgrad.nn.ConvNet;
import jgrad.nn.DeepConvNet;
import jgrad.nn.ResNet;
import jgrad.optim.Optimizer;
import jgrad.tensor.Sizes;

/**
 * The names and shapes of the tensors the model of a {@link TrainConfig} has, exactly as
 * {@link Trainer#buildModel} names and shapes them, computed without allocating the model: a
 * checkpoint is checked against these before anything of its size is allocated. Every shape's
 * element count is checked ({@link Sizes#elements}), so a config that implies a tensor over 2^31
 * elements is a {@link jgrad.tensor.SizeLimitException} here rather than an overflow later.
 * {@code ModelShapesTest} builds the real models for many configs and requires the same names and
 * shapes, so the two cannot drift apart.
 *
 * @param parameters the trainable tensors, in {@code model.parameters()} order
 * @param buffers    the other state (BatchNorm running statistics), in {@code model.buffers()} order
 */
public record ModelShapes(Map<String, int[]> parameters, Map<String, int[]> buffers) {
    public ModelShapes {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        buffers = Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
    }

    /** The tensors of {@code cfg}'s model for examples of shape {@code input} and {@code classes} classes. */
    public static ModelShapes of(TrainConfig cfg, ImageShape input, int classes) {
        Collector c = new Collector();
        switch (cfg.model()) {
            case "mlp" -> mlp(c, input.pixels(), cfg.hidden(), classes, cfg.batchNorm());
            case "convnet" -> convnet(c, input, cfg.hidden(), classes);
            case "deepconvnet" -> deepConvNet(c, input, cfg.hidden(), classes);
            default -> resnet(c, input, classes, ResNet.Stem.parse(cfg.stem()), ResNet.Layout.of(cfg.model()));
        }
        return new ModelShapes(c.parameters, c.buffers);
    }

    /**
     * Every tensor a checkpoint of this model holds besides the loss history: {@code model.<name>}
     * for parameters and buffers, then {@code optimizer.<parameter>.<slot>} for each of the
     * optimizer's slots (see {@link Optimizer#SLOTS}).
     */
    public Map<String, int[]> checkpointTensors(String optimizer) {
        Map<String, int[]> out = new LinkedHashMap<>();
        parameters.forEach((name, shape) -> out.put("model." + name, shape));
        buffers.forEach((name, shape) -> out.put("model." + name, shape));
        for (String slot : Optimizer.slotNames(optimizer)) {
            parameters.forEach((name, shape) -> out.put("optimizer." + name + "." + slot, shape));
        }
        return out;
    }

    /** [Affine → (BatchNorm)]* → Affine, as {@link jgrad.nn.Mlp#build}. */
    private static void mlp(Collector c, int inputs, int[] hidden, int outputs, boolean batchNorm) {
        int width = inputs;
        for (int i = 0; i < hidden.length; i++) {
            linear(c, "fc" + (i + 1), width, hidden[i]);
            if (batchNorm) {
                batchNorm(c, "bn" + (i + 1), hidden[i]);
            }
            width = hidden[i];
        }
        linear(c, "fc" + (hidden.length + 1), width, outputs);
    }

    /** conv 30×5×5 (with bias) → pool → [affine]* → affine, as {@link ConvNet#simple}. */
    private static void convnet(Collector c, ImageShape input, int[] hidden, int classes) {
        c.parameter("conv1.weight", ConvNet.FILTERS, input.channels(), ConvNet.KERNEL, ConvNet.KERNEL);
        c.parameter("conv1.bias", ConvNet.FILTERS);
        int width = ConvNet.flatWidth(input);
        for (int i = 0; i < hidden.length; i++) {
            linear(c, "fc" + (i + 1), width, hidden[i]);
            width = hidden[i];
        }
        linear(c, "fc" + (hidden.length + 1), width, classes);
    }

    /** Six 3×3 convolutions (with bias) → [affine]* → affine, as {@link DeepConvNet#build}; dropout holds no tensors. */
    private static void deepConvNet(Collector c, ImageShape input, int[] hidden, int classes) {
        int in = input.channels();
        for (int i = 0; i < DeepConvNet.CONVS.size(); i++) {
            int out = DeepConvNet.CONVS.get(i).filters();
            c.parameter("conv" + (i + 1) + ".weight", out, in, DeepConvNet.KERNEL, DeepConvNet.KERNEL);
            c.parameter("conv" + (i + 1) + ".bias", out);
            in = out;
        }
        int width = DeepConvNet.flatWidth(input);
        for (int i = 0; i < hidden.length; i++) {
            linear(c, "fc" + (i + 1), width, hidden[i]);
            width = hidden[i];
        }
        linear(c, "fc" + (hidden.length + 1), width, classes);
    }

    /** Stem, stages of BasicBlocks (torchvision's names), fc, as {@link ResNet#build}. */
    private static void resnet(Collector c, ImageShape input, int classes, ResNet.Stem stem, ResNet.Layout layout) {
        int k = ResNet.stemKernel(stem);
        c.parameter("conv1.weight", layout.stemWidth(), input.channels(), k, k);
        batchNorm(c, "bn1", layout.stemWidth());
        int in = layout.stemWidth();
        List<Integer> blocks = layout.blocks();
        for (int s = 0; s < blocks.size(); s++) {
            int out = layout.widths().get(s);
            for (int b = 0; b < blocks.get(s); b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                String p = "layer" + (s + 1) + "." + b + ".";
                c.parameter(p + "conv1.weight", out, in, 3, 3);
                batchNorm(c, p + "bn1", out);
                c.parameter(p + "conv2.weight", out, out, 3, 3);
                batchNorm(c, p + "bn2", out);
                if (BasicBlock.projects(in, out, stride)) {
                    c.parameter(p + "downsample.0.weight", out, in, 1, 1);
                    batchNorm(c, p + "downsample.1", out);
                }
                in = out;
            }
        }
        linear(c, "fc", in, classes);
    }

    /** The book's Affine: weight [in, out], bias [out]. */
    private static void linear(Collector c, String name, int in, int out) {
        c.parameter(name + ".weight", in, out);
        c.parameter(name + ".bias", out);
    }

    private static void batchNorm(Collector c, String name, int channels) {
        c.parameter(name + ".weight", channels);
        c.parameter(name + ".bias", channels);
        c.buffer(name + ".running_mean", channels);
        c.buffer(name + ".running_var", channels);
    }

    private static final class Collector {
        final Map<String, int[]> parameters = new LinkedHashMap<>();
        final Map<String, int[]> buffers = new LinkedHashMap<>();

        void parameter(String name, int... shape) {
            Sizes.elements(shape);
            parameters.put(name, shape);
        }

        void buffer(String name, int... shape) {
            Sizes.elements(shape);
            buffers.put(name, shape);
        }
    }
}
