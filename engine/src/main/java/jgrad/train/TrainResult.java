package jgrad.train;

import jgrad.nn.Sequential;

/**
 * What a training run produced.
 *
 * @param trainSeconds wall time of the training loop only (no data loading, no evaluation)
 * @param lossHistory  the minibatch loss of every step
 */
public record TrainResult(String device, int steps, double trainSeconds, float finalLoss, double testAccuracy,
                          float[] lossHistory, Sequential model) implements AutoCloseable {
    /** Releases the trained model's tensors (device memory on a GPU). */
    @Override
    public void close() {
        model.close();
    }

    public double msPerStep() {
        return steps == 0 ? 0 : trainSeconds * 1000.0 / steps;
    }
}
