package jgrad.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.random.RandomGenerator;
import jgrad.data.ImageShape;
import jgrad.device.Device;

/**
 * The book's DeepConvNet (ch. 8.1, {@code ch08/deep_convnet.py}), the VGG-like net that passes 99%
 * on MNIST:
 * <pre>
 * conv 16 → act → conv 16 → act → pool →
 * conv 32 → act → conv 32 (pad 2) → act → pool →
 * conv 64 → act → conv 64 → act → pool →
 * [affine → act → dropout 0.5]* → affine → dropout 0.5
 * </pre>
 * Every convolution is 3×3, stride 1, pad 1, except the fourth, which has pad 2 in the book
 * ({@code conv_param_4 = {'filter_num':32, 'filter_size':3, 'pad':2, 'stride':1}}): on MNIST it
 * turns 14×14 into 16×16, so the planes go 28 → 14 → 16 → 8 → 4 and the first affine takes
 * 64×4×4 = 1024 features (the book's {@code pre_node_nums} ends in {@code 64*4*4}). Pools are
 * max 2×2 stride 2. The dropout after the last affine is the book's too (its {@code layers} list
 * ends {@code Affine, Dropout(0.5)}); jgrad's dropout is the inverted kind, which scales kept values
 * by 2 while training instead of halving all of them at test time: the same expected value, and the
 * same argmax at test time. The book's hidden width is 50; He init (its {@code weight_init_scales =
 * sqrt(2.0 / pre_node_nums)} is He for each layer's fan-in); the book trains it with Adam lr 0.001.
 * Layer names follow the book's weights W1…W8: conv1…conv6, fc1, fc2.
 */
public final class DeepConvNet {
    /** One 3×3 convolution: output channels, padding, and whether a 2×2 max-pool follows its activation. */
    public record ConvLayer(int filters, int pad, boolean poolAfter) {}

    /** The book's six convolutions, in order. */
    public static final List<ConvLayer> CONVS = List.of(
            new ConvLayer(16, 1, false), new ConvLayer(16, 1, true),
            new ConvLayer(32, 1, false), new ConvLayer(32, 2, true),
            new ConvLayer(64, 1, false), new ConvLayer(64, 1, true));
    public static final int KERNEL = 3;
    /** The book's {@code Dropout(0.5)} after each hidden affine and after the last. */
    public static final float DROPOUT = 0.5f;
    /** The book's {@code hidden_size}. */
    public static final int HIDDEN = 50;

    private DeepConvNet() {}

    /** The features the first affine layer takes: 64×4×4 = 1024 for MNIST (and for CIFAR-10's 32×32). */
    public static int flatWidth(ImageShape input) {
        int h = input.height();
        int w = input.width();
        for (ConvLayer c : CONVS) {
            h = h + 2 * c.pad() - KERNEL + 1;
            w = w + 2 * c.pad() - KERNEL + 1;
            if (c.poolAfter()) {
                h /= 2;
                w /= 2;
            }
            if (h <= 0 || w <= 0) {
                throw new IllegalArgumentException("deepconvnet: " + input + " images leave nothing after its "
                        + "three 2x2 pools (it needs at least 4x4 pixels)");
            }
        }
        return jgrad.tensor.Sizes.elements(CONVS.get(CONVS.size() - 1).filters(), h, w);
    }

    /**
     * The network for {@code input}-shaped images; weights are drawn from {@code rng}, each dropout
     * layer's masks from {@code seed} and its position.
     */
    public static Sequential build(Device device, ImageShape input, int[] hidden, int classes, String activation,
                                   Init init, RandomGenerator rng, long seed) {
        int width = flatWidth(input);
        LinkedHashMap<String, Module> layers = new LinkedHashMap<>();
        layers.put("input", new Unflatten(input));
        int in = input.channels();
        int pools = 0;
        for (int i = 0; i < CONVS.size(); i++) {
            ConvLayer c = CONVS.get(i);
            layers.put("conv" + (i + 1), new Conv2d(device, in, c.filters(), KERNEL, 1, c.pad(), true, init, rng));
            layers.put("act" + (i + 1), Activation.parse(activation));
            if (c.poolAfter()) {
                layers.put("pool" + (++pools), new MaxPool2d(2, 2, 0));
            }
            in = c.filters();
        }
        layers.put("flatten", new Flatten());
        for (int i = 0; i < hidden.length; i++) {
            layers.put("fc" + (i + 1), new Linear(device, width, hidden[i], init, rng));
            layers.put("act" + (CONVS.size() + i + 1), Activation.parse(activation));
            layers.put("drop" + (i + 1), new Dropout(DROPOUT, seed + i + 1));
            width = hidden[i];
        }
        layers.put("fc" + (hidden.length + 1), new Linear(device, width, classes, init, rng));
        layers.put("drop" + (hidden.length + 1), new Dropout(DROPOUT, seed + hidden.length + 1));
        return new Sequential(layers);
    }

    /** "conv3x3 16-16-pool-32-32-pool-64-64-pool": the convolutional part, for headers. */
    public static String describeConvs() {
        StringBuilder sb = new StringBuilder("conv").append(KERNEL).append('x').append(KERNEL).append(' ');
        for (int i = 0; i < CONVS.size(); i++) {
            sb.append(i == 0 ? "" : "-").append(CONVS.get(i).filters());
            if (CONVS.get(i).poolAfter()) {
                sb.append("-pool");
            }
        }
        return sb.toString();
    }
}
