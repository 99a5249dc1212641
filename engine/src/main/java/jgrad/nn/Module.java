package jgrad.nn;

import java.util.List;
import jgrad.tensor.Tensor;

/** A layer or a network: a differentiable function with named parameters and state. */
public interface Module {
    Tensor forward(Tensor x);

    /** Trainable tensors, named like {@code fc1.weight}. */
    default List<Parameter> parameters() {
        return List.of();
    }

    /** Non-trainable state saved with the weights (batch-norm running statistics). */
    default List<Parameter> buffers() {
        return List.of();
    }

    /** Switches training behaviour (dropout, batch norm); default no-op. */
    default void train(boolean training) {}

    /**
     * Counters behind this module's random draws (dropout's mask count), named like parameters.
     * Checkpoints save them so that a resumed run draws the same masks as an uninterrupted one.
     */
    default java.util.Map<String, Long> randomState() {
        return java.util.Map.of();
    }

    /** Restores what {@link #randomState} returned; {@code state} holds exactly this module's names. */
    default void restoreRandomState(java.util.Map<String, Long> state) {}
}
