package jgrad.train;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What one epoch did.
 *
 * @param epoch         1-based epoch number
 * @param endStep       steps done when it ended
 * @param meanLoss      mean minibatch loss over the epoch's steps (what early stopping watches)
 * @param testAccuracy  accuracy on the test split after the epoch, in eval mode
 * @param lr            the learning rate the epoch used
 * @param trainSeconds  training time of the run up to the end of this epoch (no evaluation, no checkpoints)
 * @param trainAccuracy accuracy on the training split after the epoch, in eval mode (as the book's
 *                      overfitting plots measure it); null unless {@link RunOptions#trainAccuracy} asked
 *                      for it. A checkpoint leaves a null out, so those of other runs stay as they were
 */
public record EpochStats(int epoch, int endStep, double meanLoss, double testAccuracy, float lr, double trainSeconds,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double trainAccuracy) {

    /** An epoch whose training accuracy was not measured. */
    public EpochStats(int epoch, int endStep, double meanLoss, double testAccuracy, float lr, double trainSeconds) {
        this(epoch, endStep, meanLoss, testAccuracy, lr, trainSeconds, null);
    }
}
