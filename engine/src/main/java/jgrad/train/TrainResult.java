package jgrad.train;

import java.util.List;
import jgrad.nn.Sequential;

/**
 * What a training run produced.
 *
 * @param steps          steps done (fewer than asked for when the run stopped early or was paused)
 * @param trainSeconds   wall time of the training loop only (no data loading, evaluation or checkpoints),
 *                       including earlier invocations of a resumed run
 * @param lossHistory    the minibatch loss of every step done
 * @param epochs         per-epoch loss, test accuracy and learning rate
 * @param evaluation     the final test-set predictions, confusion matrix and per-class accuracy
 * @param stoppedEarlyAfter the epoch after which early stopping ended the run, or 0
 * @param complete       false when the run was paused ({@link RunOptions#stopAfterEpoch}) and can be resumed
 */
public record TrainResult(String device, int steps, double trainSeconds, float finalLoss, double testAccuracy,
                          float[] lossHistory, Sequential model, List<EpochStats> epochs, Evaluation evaluation,
                          int stoppedEarlyAfter, boolean complete) implements AutoCloseable {
    /** Releases the trained model's tensors (device memory on a GPU). */
    @Override
    public void close() {
        model.close();
    }

    public double msPerStep() {
        return steps == 0 ? 0 : trainSeconds * 1000.0 / steps;
    }
}
