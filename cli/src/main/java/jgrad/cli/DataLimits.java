package jgrad.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import jgrad.train.TrainData;

/**
 * {@code --train-limit N} / {@code --test-limit N}: only the first N images of a split (0: all of
 * it), for quick runs, small-data experiments and the CUDA simulator, which runs every kernel on the
 * CPU. Kept in the checkpoint's data description, so a resumed run sees the same images.
 */
record DataLimits(int train, int test) {
    static final DataLimits NONE = new DataLimits(0, 0);

    DataLimits {
        if (train < 0 || test < 0) {
            throw new IllegalArgumentException("data limits must be >= 0 (0: all), got " + train + " and " + test);
        }
    }

    /** The options as given (null: not given), each checked to be positive. */
    static DataLimits of(Integer train, Integer test) {
        for (Object[] o : new Object[][] {{"--train-limit", train}, {"--test-limit", test}}) {
            if (o[1] != null && (Integer) o[1] <= 0) {
                throw new IllegalArgumentException(o[0] + " must be positive (the number of images to use), got "
                        + o[1]);
            }
        }
        return new DataLimits(train == null ? 0 : train, test == null ? 0 : test);
    }

    boolean isNone() {
        return train == 0 && test == 0;
    }

    /** Training images a run of {@code dataset} sees, checked against the {@code full} count before loading. */
    int trainCount(int full, String dataset) {
        if (train > full) {
            throw new IllegalArgumentException("--train-limit " + train + " exceeds the " + full
                    + " training images of " + dataset);
        }
        return train == 0 ? full : train;
    }

    /** The first {@link #train} and {@link #test} images of each split (the same data when there are no limits). */
    TrainData apply(TrainData d, String dataset) {
        if (isNone()) {
            return d;
        }
        int nTrain = trainCount(d.trainCount(), dataset);
        if (test > d.testCount()) {
            throw new IllegalArgumentException("--test-limit " + test + " exceeds the " + d.testCount()
                    + " test images of " + dataset);
        }
        int nTest = test == 0 ? d.testCount() : test;
        return new TrainData(head(d.trainX(), d.trainCount(), nTrain), head(d.trainY(), d.trainCount(), nTrain), nTrain,
                head(d.testX(), d.testCount(), nTest), head(d.testY(), d.testCount(), nTest), nTest, d.features(),
                d.classes(), d.shape(), d.normalization());
    }

    private static float[] head(float[] rows, int count, int keep) {
        return keep == count ? rows : Arrays.copyOf(rows, rows.length / count * keep);
    }

    /** Adds the limits to a data description (nothing when there are none, as before they existed). */
    void writeTo(ObjectNode info) {
        if (train > 0) {
            info.put("train_limit", train);
        }
        if (test > 0) {
            info.put("test_limit", test);
        }
    }
}
