package jgrad.train;

import jgrad.data.ImageShape;
import jgrad.data.Normalization;

/**
 * A classification data set in host memory: row-major features and class indices (as floats, the
 * way they are uploaded to a device). Each row is one image of {@code shape} (channels first, so a
 * model may view a batch as NCHW), already normalised with {@code normalization}.
 */
public record TrainData(float[] trainX, float[] trainY, int trainCount,
                        float[] testX, float[] testY, int testCount, int features, int classes,
                        ImageShape shape, Normalization normalization) {

    /** Flat feature rows with no image structure and no normalisation. */
    public TrainData(float[] trainX, float[] trainY, int trainCount, float[] testX, float[] testY, int testCount,
                     int features, int classes) {
        this(trainX, trainY, trainCount, testX, testY, testCount, features, classes, ImageShape.flat(features),
                Normalization.identity(1));
    }

    public TrainData {
        if ((long) trainCount * features != trainX.length || trainY.length != trainCount) {
            throw new IllegalArgumentException("training arrays do not match " + trainCount + "×" + features);
        }
        if ((long) testCount * features != testX.length || testY.length != testCount) {
            throw new IllegalArgumentException("test arrays do not match " + testCount + "×" + features);
        }
        if (shape.pixels() != features) {
            throw new IllegalArgumentException("image shape " + shape + " does not hold " + features + " features");
        }
        if (normalization.channels() != shape.channels()) {
            throw new IllegalArgumentException("normalisation has " + normalization.channels()
                    + " channels, images have " + shape.channels());
        }
    }
}
