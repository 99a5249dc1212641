package jgrad.train;

import java.util.ArrayList;
import java.util.List;

/** The progress of a run that a checkpoint saves besides tensors; mutated by the training loop. */
final class TrainState {
    /** Steps done (and minibatches drawn). */
    int step;
    /** The minibatch loss of every step; entries below {@link #step} are valid. */
    final float[] losses;
    final List<EpochStats> epochs = new ArrayList<>();
    /** Training seconds of earlier invocations (a resumed run adds its own). */
    double earlierSeconds;
    final EarlyStopping stopper;

    TrainState(int totalSteps, TrainConfig cfg) {
        this.losses = new float[totalSteps];
        this.stopper = new EarlyStopping(cfg.patience(), cfg.minDelta());
    }

    int epochsDone() {
        return epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1).epoch();
    }

    boolean stoppedEarly() {
        return stopper.stoppedAfter() > 0;
    }
}
