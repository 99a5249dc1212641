package jgrad.train;

/**
 * The loss, a gradient or a weight became NaN or infinite (see {@link NonFiniteCheck}); the
 * message is one line naming the step, the first parameter concerned and the last good checkpoint.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final int step;
    private final String parameter;

    public TrainingDivergedException(String message) {
        this(message, 0, null);
    }

    /**
     * @param step      the 1-based step of the fault, 0 when unknown
     * @param parameter the first parameter (in {@code model.parameters()} order, then buffers) whose
     *                  gradient or value was non-finite, or null when only the loss was
     */
    public TrainingDivergedException(String message, int step, String parameter) {
        super(message);
        this.step = step;
        this.parameter = parameter;
    }

    /** The 1-based step of the fault, 0 when unknown. */
    public int step() {
        return step;
    }

    /** The first parameter with a non-finite gradient or value, or null. */
    public String parameter() {
        return parameter;
    }
}
