package jgrad.optim;

import java.util.List;
import java.util.Locale;
import jgrad.nn.Parameter;

/**
 * Updates parameters from their gradients. Each update is one device kernel per parameter, so the
 * optimizer state lives on the same device as the weights. Weight decay (L2, the book's λ) applies
 * to parameters marked {@link Parameter#decay()}.
 */
public interface Optimizer extends AutoCloseable {
    void step();

    /** Releases the optimizer's state buffers (device memory on a GPU); the optimizer is unusable after. */
    @Override
    void close();

    void zeroGrad();

    /** The learning rate used by the next step (schedules change it between steps). */
    void setLearningRate(float lr);

    float learningRate();

    /**
     * The state buffers, named {@code <parameter>.<slot>} (e.g. {@code fc1.weight.velocity}); the
     * live tensors the optimizer updates, so a checkpoint reads them and a resume overwrites them.
     */
    java.util.Map<String, jgrad.tensor.Tensor> state();

    /** Steps taken so far (Adam's bias-correction exponent). */
    int stepCount();

    void setStepCount(int steps);

    java.util.Set<String> NAMES = java.util.Set.of("sgd", "momentum", "adagrad", "adam");

    /**
     * Each optimizer's state slots, in the order {@link #state()} lists them per parameter: the one
     * list the optimizers make their buffers from and a checkpoint's tensors are checked against.
     */
    java.util.Map<String, List<String>> SLOTS = java.util.Map.of("sgd", List.of(), "momentum", List.of("velocity"),
            "adagrad", List.of("sum_sq"), "adam", List.of("exp_avg", "exp_avg_sq"));

    /** The state slots of the optimizer {@code name} (any case, as {@link #create} takes it). */
    static List<String> slotNames(String name) {
        checkName(name);
        return SLOTS.get(name.trim().toLowerCase(Locale.ROOT));
    }

    static void checkName(String name) {
        if (!NAMES.contains(name.trim().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown --optimizer '" + name
                    + "' (expected sgd, momentum, adagrad or adam)");
        }
    }

    /** The learning rate used when none is given: the seed's 0.1 for SGD, the usual ones otherwise. */
    static float defaultLearningRate(String name) {
        checkName(name);
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "sgd" -> 0.1f;
            case "momentum", "adagrad" -> 0.01f;
            default -> 0.001f;
        };
    }

    static Optimizer create(String name, List<Parameter> params, float lr, float weightDecay) {
        return create(name, params, lr, 0.9f, weightDecay);
    }

    /** @param momentum μ of the momentum optimizer (the book's 0.9); ignored by the others */
    static Optimizer create(String name, List<Parameter> params, float lr, float momentum, float weightDecay) {
        if (!(momentum >= 0f && momentum < 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(lr > 0f) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
        if (!(weightDecay >= 0f) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "sgd" -> new Sgd(params, lr, weightDecay);
            case "momentum" -> new Momentum(params, lr, momentum, weightDecay);
            case "adagrad" -> new AdaGrad(params, lr, weightDecay);
            case "adam" -> new Adam(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay);
            default -> throw new IllegalArgumentException("unknown --optimizer '" + name
                    + "' (expected sgd, momentum, adagrad or adam)");
        };
    }
}
