package jgrad.nn;

/** The shape of one input example as an image: channels × height × width (MNIST is 1×28×28). */
public record ImageShape(int channels, int height, int width) {
    public ImageShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("image shape " + channels + "x" + height + "x" + width + " is too large");
        }
    }

    /** Non-image data: one row of {@code features} values, seen as a 1×1×features image. */
    public static ImageShape flat(int features) {
        return new ImageShape(1, 1, features);
    }

    /** Values per example. */
    public int numel() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
