package jgrad.train;

/**
 * A classification data set in host memory: row-major features and class indices (as floats, the
 * way they are uploaded to a device).
 */
public record TrainData(float[] trainX, float[] trainY, int trainCount,
                        float[] testX, float[] testY, int testCount, int features, int classes) {
    public TrainData {
        if ((long) trainCount * features != trainX.length || trainY.length != trainCount) {
            throw new IllegalArgumentException("training arrays do not match " + trainCount + "×" + features);
        }
        if ((long) testCount * features != testX.length || testY.length != testCount) {
            throw new IllegalArgumentException("test arrays do not match " + testCount + "×" + features);
        }
    }
}
