package jgrad.nn;

import java.util.LinkedHashMap;
import java.util.random.RandomGenerator;
import jgrad.data.ImageShape;
import jgrad.device.Device;

/**
 * The book's SimpleConvNet (ch. 7): conv 30×5×5 stride 1 pad 0 → activation → max-pool 2×2
 * stride 2 → [affine → activation]* → affine. With the book's hidden width 100 and MNIST 1×28×28
 * input: 30×24×24 → 30×12×12 = 4320 → 100 → 10.
 */
public final class ConvNet {
    public static final int FILTERS = 30;
    public static final int KERNEL = 5;

    private ConvNet() {}

    /** The features after conv and pool that the first affine layer takes: 30×12×12 = 4320 for MNIST. */
    public static int flatWidth(ImageShape input) {
        if (input.height() < KERNEL || input.width() < KERNEL) {
            throw new IllegalArgumentException("convnet needs images of at least " + KERNEL + "x" + KERNEL
                    + " pixels, got " + input);
        }
        int convH = input.height() - KERNEL + 1;
        int convW = input.width() - KERNEL + 1;
        int width = jgrad.tensor.Sizes.elements(FILTERS, convH / 2, convW / 2);
        if (width == 0) {
            throw new IllegalArgumentException("convnet: " + input + " images leave nothing after the 2x2 pool");
        }
        return width;
    }

    public static Sequential simple(Device device, ImageShape input, int[] hidden, int classes, String activation,
                                    Init init, RandomGenerator rng) {
        int width = flatWidth(input);
        LinkedHashMap<String, Module> layers = new LinkedHashMap<>();
        layers.put("input", new Unflatten(input));
        layers.put("conv1", new Conv2d(device, input.channels(), FILTERS, KERNEL, 1, 0, true, init, rng));
        layers.put("act1", Activation.parse(activation));
        layers.put("pool1", new MaxPool2d(2, 2, 0));
        layers.put("flatten", new Flatten());
        for (int i = 0; i < hidden.length; i++) {
            layers.put("fc" + (i + 1), new Linear(device, width, hidden[i], init, rng));
            layers.put("act" + (i + 2), Activation.parse(activation));
            width = hidden[i];
        }
        layers.put("fc" + (hidden.length + 1), new Linear(device, width, classes, init, rng));
        return new Sequential(layers);
    }
}
