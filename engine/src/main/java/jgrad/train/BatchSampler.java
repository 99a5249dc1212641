package jgrad.train;

import java.util.SplittableRandom;

/**
 * Minibatch indices: sampled with replacement (the seed's np.random.choice) or, for epoch
 * training, consecutive slices of a permutation reshuffled every epoch. Seeded, so runs repeat.
 */
final class BatchSampler {
    private final int count;
    private final int batch;
    private final boolean epochs;
    private final SplittableRandom rng;
    private final int[] permutation;
    private int cursor;

    BatchSampler(int count, int batch, boolean epochs, long seed) {
        this.count = count;
        this.batch = batch;
        this.epochs = epochs;
        this.rng = new SplittableRandom(seed);
        this.permutation = epochs ? new int[count] : null;
        if (epochs) {
            for (int i = 0; i < count; i++) {
                permutation[i] = i;
            }
            cursor = count; // forces a shuffle on first use
        }
    }

    /** Draws and discards {@code batches} minibatches: how a resumed run catches up with the checkpoint. */
    void skip(int batches) {
        float[] scratch = new float[batch];
        for (int i = 0; i < batches; i++) {
            next(scratch);
        }
    }

    void next(float[] out) {
        if (!epochs) {
            for (int i = 0; i < batch; i++) {
                out[i] = rng.nextInt(count);
            }
            return;
        }
        if (cursor + batch > count) {
            for (int i = count - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = t;
            }
            cursor = 0;
        }
        for (int i = 0; i < batch; i++) {
            out[i] = permutation[cursor + i];
        }
        cursor += batch;
    }
}
