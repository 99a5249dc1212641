package jgrad.train;

import jgrad.nn.ImageShape;

/**
 * A classification data set in host memory: row-major features and class indices (as floats, the
 * way they are uploaded to a device). Each row is one example of {@code input} shape (C·H·W values
 * in NCHW order), so image models know their input; flat data uses {@link ImageShape#flat}.
 */
public record TrainData(float[] trainX, float[] trainY, int trainCount,
                        float[] testX, float[] testY, int testCount, ImageShape input, int classes) {
    public TrainData {
        int features = input.numel();
        if ((long) trainCount * features != trainX.length || trainY.length != trainCount) {
            throw new IllegalArgumentException("training arrays do not match " + trainCount + "×" + input);
        }
        if ((long) testCount * features != testX.length || testY.length != testCount) {
            throw new IllegalArgumentException("test arrays do not match " + testCount + "×" + input);
        }
    }

    /** Values per example. */
    public int features() {
        return input.numel();
    }
}
