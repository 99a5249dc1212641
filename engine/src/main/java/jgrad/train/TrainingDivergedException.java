package jgrad.train;

/** The loss became NaN or infinite; the message names the step. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
