package jgrad.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import jgrad.data.ImageShape;
import jgrad.device.Device;

/**
 * ResNets of {@link BasicBlock}s: a stem, stages of blocks (the first block of every stage after
 * the first halves the plane with stride 2 and widens), global average pooling, one affine layer.
 * Parameter names follow torchvision (conv1, bn1, layer1.0.conv1, …, fc).
 *
 * <ul>
 *   <li>{@code resnet18}: blocks [2,2,2,2], widths 64-128-256-512, stem width 64 (torchvision's).</li>
 *   <li>{@code resnet8}: blocks [1,1,1], widths 16-32-64, stem width 16 — the CIFAR ResNet family
 *       of He et al. with n = 1 (6n+2 = 8 weight layers), for quick runs.</li>
 * </ul>
 */
public final class ResNet {
    /** How the input is brought to the first stage. */
    public enum Stem {
        /** The seed's MNIST ResNet-18: conv 7×7 stride 2 pad 3 → BN → ReLU → max-pool 3×3 stride 2 pad 1 (28×28 → 7×7). */
        SEED,
        /** CIFAR style: conv 3×3 stride 1 pad 1 → BN → ReLU, no pooling (keeps the full plane). */
        CIFAR;

        public static Stem parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "seed" -> SEED;
                case "cifar" -> CIFAR;
                default -> throw new IllegalArgumentException("unknown --stem '" + s + "' (expected seed or cifar)");
            };
        }
    }

    /**
     * The widths and depths of one ResNet: what the builders build and what a checkpoint's tensors
     * are checked against ({@code jgrad.train.ModelShapes}).
     *
     * @param blocks BasicBlocks per stage
     * @param widths channels of each stage
     */
    public record Layout(int stemWidth, List<Integer> blocks, List<Integer> widths) {
        public static final Layout RESNET18 = new Layout(64, List.of(2, 2, 2, 2), List.of(64, 128, 256, 512));
        public static final Layout RESNET8 = new Layout(16, List.of(1, 1, 1), List.of(16, 32, 64));

        /** The layout of {@code resnet8} or {@code resnet18}. */
        public static Layout of(String model) {
            return switch (model) {
                case "resnet8" -> RESNET8;
                case "resnet18" -> RESNET18;
                default -> throw new IllegalArgumentException("no ResNet layout for model '" + model + "'");
            };
        }
    }

    /** The stem convolution's kernel size: 7 for the seed's, 3 for CIFAR's. */
    public static int stemKernel(Stem stem) {
        return stem == Stem.SEED ? 7 : 3;
    }

    private ResNet() {}

    public static Sequential resnet18(Device device, ImageShape input, int classes, Stem stem, Init init,
                                      RandomGenerator rng) {
        return build(device, input, classes, stem, Layout.RESNET18, init, rng);
    }

    public static Sequential resnet8(Device device, ImageShape input, int classes, Stem stem, Init init,
                                     RandomGenerator rng) {
        return build(device, input, classes, stem, Layout.RESNET8, init, rng);
    }

    public static Sequential build(Device device, ImageShape input, int classes, Stem stem, Layout layout, Init init,
                                   RandomGenerator rng) {
        return build(device, input, classes, stem, layout.stemWidth(),
                layout.blocks().stream().mapToInt(Integer::intValue).toArray(),
                layout.widths().stream().mapToInt(Integer::intValue).toArray(), init, rng);
    }

    public static Sequential build(Device device, ImageShape input, int classes, Stem stem, int stemWidth,
                                   int[] blocks, int[] widths, Init init, RandomGenerator rng) {
        if (blocks.length != widths.length || blocks.length == 0) {
            throw new IllegalArgumentException("ResNet needs one block count per stage width");
        }
        LinkedHashMap<String, Module> layers = new LinkedHashMap<>();
        layers.put("input", new Unflatten(input));
        if (stem == Stem.SEED) {
            layers.put("conv1", new Conv2d(device, input.channels(), stemWidth, stemKernel(stem), 2, 3, false, init,
                    rng));
        } else {
            layers.put("conv1", new Conv2d(device, input.channels(), stemWidth, stemKernel(stem), 1, 1, false, init,
                    rng));
        }
        layers.put("bn1", new BatchNorm(device, stemWidth));
        layers.put("relu", Activation.parse("relu"));
        if (stem == Stem.SEED) {
            layers.put("maxpool", new MaxPool2d(3, 2, 1));
        }
        int in = stemWidth;
        for (int s = 0; s < blocks.length; s++) {
            LinkedHashMap<String, Module> stage = new LinkedHashMap<>();
            for (int b = 0; b < blocks[s]; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                stage.put(Integer.toString(b), new BasicBlock(device, in, widths[s], stride, init, rng));
                in = widths[s];
            }
            layers.put("layer" + (s + 1), new Sequential(stage));
        }
        layers.put("avgpool", new GlobalAvgPool2d());
        layers.put("flatten", new Flatten());
        layers.put("fc", new Linear(device, in, classes, init, rng));
        return new Sequential(layers);
    }
}
