package jgrad.train;

import java.nio.file.Path;

/**
 * How a training run is kept and continued, beside what it trains ({@link TrainConfig}).
 *
 * @param checkpointDir  where {@link Checkpoint#FILE} is written after every epoch; null for none
 * @param resume         a checkpoint to continue from; null to start fresh
 * @param stopAfterEpoch stop once this (1-based, absolute) epoch is done, as if interrupted, leaving
 *                       a checkpoint to resume from; 0 runs to the end
 * @param dataInfo       JSON describing the data (dataset, normalisation), stored in checkpoints so
 *                       that evaluation can rebuild the inputs; opaque to the trainer
 * @param initialWeights weights (checked against the config) that replace the freshly drawn ones
 *                       before the first step ({@code train --init-from}); null for none
 * @param trainAccuracy  also evaluate the training split after every epoch
 *                       ({@link EpochStats#trainAccuracy}): a pass over it, which the book's overfitting
 *                       and search experiments plot, and which other runs need not pay for
 */
public record RunOptions(Path checkpointDir, Checkpoint resume, int stopAfterEpoch, String dataInfo,
                         TorchWeights initialWeights, boolean trainAccuracy) {
    public static final RunOptions NONE = new RunOptions(null, null, 0, "{}");

    public RunOptions(Path checkpointDir, Checkpoint resume, int stopAfterEpoch, String dataInfo) {
        this(checkpointDir, resume, stopAfterEpoch, dataInfo, null);
    }

    /** Options without the per-epoch training accuracy. */
    public RunOptions(Path checkpointDir, Checkpoint resume, int stopAfterEpoch, String dataInfo,
                      TorchWeights initialWeights) {
        this(checkpointDir, resume, stopAfterEpoch, dataInfo, initialWeights, false);
    }

    /** These options, also measuring the training split's accuracy after every epoch. */
    public RunOptions withTrainAccuracy() {
        return new RunOptions(checkpointDir, resume, stopAfterEpoch, dataInfo, initialWeights, true);
    }

    public RunOptions {
        if (resume != null && initialWeights != null) {
            throw new IllegalArgumentException("a run continues from a checkpoint or starts from initial weights,"
                    + " not both");
        }
        if (stopAfterEpoch < 0) {
            throw new IllegalArgumentException("--stop-after-epoch must be >= 0, got " + stopAfterEpoch);
        }
        if (stopAfterEpoch > 0 && checkpointDir == null) {
            throw new IllegalArgumentException("--stop-after-epoch needs --out (the checkpoint to resume from)");
        }
        if (dataInfo == null) {
            dataInfo = "{}";
        }
    }
}
