package jgrad.train;

/**
 * The seed's early stopping on the epoch mean training loss: an epoch improves when its loss is
 * below the best so far by more than {@code minDelta}; after {@code patience} epochs in a row
 * without improvement the run stops. Patience 0 never stops.
 */
public final class EarlyStopping {
    private final int patience;
    private final float minDelta;
    private double best = Double.POSITIVE_INFINITY;
    private int badEpochs;
    private int stoppedAfter;

    public EarlyStopping(int patience, float minDelta) {
        if (patience < 0 || !(minDelta >= 0f)) {
            throw new IllegalArgumentException("patience must be >= 0 and min delta >= 0");
        }
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** Records epoch {@code epoch} (1-based) and its mean loss; true when training should stop now. */
    public boolean observe(int epoch, double loss) {
        if (loss < best - minDelta) {
            best = loss;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (patience > 0 && badEpochs >= patience) {
            stoppedAfter = epoch;
            return true;
        }
        return false;
    }

    public double best() {
        return best;
    }

    public int badEpochs() {
        return badEpochs;
    }

    /** The epoch after which the run stopped early, or 0. */
    public int stoppedAfter() {
        return stoppedAfter;
    }

    /** Puts back the state a checkpoint saved. */
    void restore(double best, int badEpochs, int stoppedAfter) {
        this.best = best;
        this.badEpochs = badEpochs;
        this.stoppedAfter = stoppedAfter;
    }
}
