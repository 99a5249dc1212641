package jgrad.train;

/**
 * What one epoch did.
 *
 * @param epoch        1-based epoch number
 * @param endStep      steps done when it ended
 * @param meanLoss     mean minibatch loss over the epoch's steps (what early stopping watches)
 * @param testAccuracy accuracy on the test split after the epoch, in eval mode
 * @param lr           the learning rate the epoch used
 * @param trainSeconds training time of the run up to the end of this epoch (no evaluation, no checkpoints)
 */
public record EpochStats(int epoch, int endStep, double meanLoss, double testAccuracy, float lr, double trainSeconds) {}
