package jgrad.data;

import java.util.Arrays;

/**
 * Per-channel input normalisation, {@code x' = (x − mean[c]) / std[c]}, applied to pixels already
 * scaled to [0, 1]. The identity (mean 0, std 1) is the default: MNIST trains on [0, 1] pixels as
 * the book does. {@link #fromTraining} gives the usual zero-mean, unit-variance inputs (CIFAR-10);
 * the statistics come from the training split only, and the same ones are applied to the test split.
 */
public record Normalization(float[] mean, float[] std) {
    public Normalization {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalisation needs one mean and one std per channel");
        }
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0f) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("channel " + c + ": std must be positive and finite, mean finite");
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    public static Normalization identity(int channels) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new Normalization(new float[channels], ones);
    }

    /** Mean and (population) standard deviation of each channel over every training image. */
    public static Normalization fromTraining(ImageSplit train) {
        int channels = train.channels();
        int plane = train.rows() * train.cols();
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        float[] x = train.images();
        for (int i = 0; i < train.count(); i++) {
            for (int c = 0; c < channels; c++) {
                int base = (i * channels + c) * plane;
                for (int k = 0; k < plane; k++) {
                    double v = x[base + k];
                    sum[c] += v;
                    sumSq[c] += v * v;
                }
            }
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        double n = (double) train.count() * plane;
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / n;
            mean[c] = (float) m;
            std[c] = (float) Math.sqrt(Math.max(sumSq[c] / n - m * m, 1e-12));
        }
        return new Normalization(mean, std);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    public int channels() {
        return mean.length;
    }

    public boolean isIdentity() {
        for (int c = 0; c < mean.length; c++) {
            if (mean[c] != 0f || std[c] != 1f) {
                return false;
            }
        }
        return true;
    }

    /** Normalises {@code images} (NCHW, {@code shape} per image) in place. */
    public void applyInPlace(float[] images, ImageShape shape) {
        check(shape);
        int plane = shape.plane();
        for (int base = 0; base < images.length; base += shape.pixels()) {
            for (int c = 0; c < mean.length; c++) {
                float m = mean[c];
                float inv = 1f / std[c];
                int from = base + c * plane;
                for (int k = from; k < from + plane; k++) {
                    images[k] = (images[k] - m) * inv;
                }
            }
        }
    }

    /** The pixel value of channel {@code c} back in [0, 1] (for pictures of the inputs). */
    public float restore(int c, float normalised) {
        return normalised * std[c] + mean[c];
    }

    /** What a black (0) pixel of channel {@code c} becomes: the fill for padding and rotation. */
    public float black(int c) {
        return -mean[c] / std[c];
    }

    private void check(ImageShape shape) {
        if (shape.channels() != mean.length) {
            throw new IllegalArgumentException("normalisation has " + mean.length + " channels, images have "
                    + shape.channels());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
