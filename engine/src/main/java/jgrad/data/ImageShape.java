package jgrad.data;

/**
 * The shape of one image, channels first (the NCHW layout models read): 1×28×28 for MNIST and
 * Fashion-MNIST, 3×32×32 for CIFAR-10. A flat feature vector is {@code 1×1×features}.
 */
public record ImageShape(int channels, int height, int width) {
    public ImageShape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad image shape " + channels + "×" + height + "×" + width);
        }
        jgrad.tensor.Sizes.elements(channels, height, width);  // a SizeLimitException past one array's worth
    }

    /** A flat vector of {@code features} values, for data that are not images. */
    public static ImageShape flat(int features) {
        return new ImageShape(1, 1, features);
    }

    /** Values per image: channels × height × width. */
    public int pixels() {
        return channels * height * width;
    }

    /** Values per channel plane: height × width. */
    public int plane() {
        return height * width;
    }

    @Override
    public String toString() {
        return channels + "×" + height + "×" + width;
    }
}
