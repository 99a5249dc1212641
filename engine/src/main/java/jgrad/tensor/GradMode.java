package jgrad.tensor;

/** Thread-local switch for recording the autograd graph, like torch.no_grad(). */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = ENABLED.get();
        ENABLED.set(enabled);
    }

    /** Within the returned scope ops record no graph and keep no tensors for a backward. */
    public static GradMode noGrad() {
        return new GradMode(false);
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    @Override
    public void close() {
        ENABLED.set(previous);
    }
}
