package jgrad.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Test fixture: a learnable synthetic task. Each class is a Gaussian cluster (noise 1) around its
 * own random centre, N(0, centreScale²) per dimension; {@code poisoned} training rows are NaN, as a
 * corrupt record would be.
 */
public final class SyntheticClusters {
    private SyntheticClusters() {}

    public static TrainData of(int features, int classes, double centreScale, int train, int test, long seed,
                               int... poisoned) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] centres = new float[classes][features];
        for (float[] c : centres) {
            for (int j = 0; j < features; j++) {
                c[j] = (float) (centreScale * r.nextGaussian());
            }
        }
        float[][] x = {new float[train * features], new float[test * features]};
        float[][] y = {new float[train], new float[test]};
        for (int part = 0; part < 2; part++) {
            for (int i = 0; i < y[part].length; i++) {
                int k = r.nextInt(classes);
                y[part][i] = k;
                for (int j = 0; j < features; j++) {
                    x[part][i * features + j] = centres[k][j] + (float) r.nextGaussian();
                }
            }
        }
        for (int row : poisoned) {
            Arrays.fill(x[0], row * features, (row + 1) * features, Float.NaN);
        }
        return new TrainData(x[0], y[0], train, x[1], y[1], test, features, classes);
    }
}
