package jgrad.train;

import java.util.List;
import jgrad.nn.Sequential;

/**
 * What a training run produced.
 *
 * @param steps          steps done (fewer than asked for when the run stopped early or was paused)
 * @param trainSeconds   wall time of the training loop only (no data loading, evaluation or checkpoints),
 *                       including earlier invocations of a resumed run
 * @param epochs         per-epoch loss, test accuracy and learning rate
 * @param evaluation     the final test-set predictions, confusion matrix and per-class accuracy
 * @param stoppedEarlyAfter the epoch after which early stopping ended the run, or 0
 * @param finalLoss      the loss of the last step that was applied
 * @param lossHistory    the minibatch loss of every step done; NaN for a step skipped by {@code --on-nan skip}
 * @param complete       false when the run was paused ({@link RunOptions#stopAfterEpoch}) and can be resumed
 * @param skippedSteps   steps whose update {@code --on-nan skip} left out (a resumed run counts earlier ones too)
 */
public record TrainResult(String device, int steps, double trainSeconds, float finalLoss, double testAccuracy,
                          float[] lossHistory, Sequential model, List<EpochStats> epochs, Evaluation evaluation,
                          int stoppedEarlyAfter, boolean complete, int skippedSteps) implements AutoCloseable {
    /** A result with no skipped steps. */
    public TrainResult(String device, int steps, double trainSeconds, float finalLoss, double testAccuracy,
                       float[] lossHistory, Sequential model, List<EpochStats> epochs, Evaluation evaluation,
                       int stoppedEarlyAfter, boolean complete) {
        this(device, steps, trainSeconds, finalLoss, testAccuracy, lossHistory, model, epochs, evaluation,
                stoppedEarlyAfter, complete, 0);
    }

    /** Releases the trained model's tensors (device memory on a GPU). */
    @Override
    public void close() {
        if (model != null) {  // null in the snapshots of Trainer.Listener#atCheckpoint
            model.close();
        }
    }

    public double msPerStep() {
        return steps == 0 ? 0 : trainSeconds * 1000.0 / steps;
    }
}
