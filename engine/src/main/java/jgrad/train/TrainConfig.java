package jgrad.train;

import java.util.Arrays;

/**
 * One training job. Defaults are the seed's TwoLayerNet run: 784→100→10, sigmoid, 0.01·N(0,1)
 * init, SGD lr 0.1, batch 100 sampled with replacement, 10 000 steps.
 *
 * @param steps     optimizer steps when {@code epochs} is 0 (minibatches sampled with replacement)
 * @param epochs    if &gt; 0, passes over a reshuffled training set instead (last partial batch dropped)
 * @param logEvery  steps between loss reports
 */
public record TrainConfig(String model, int steps, int epochs, int batchSize, float lr, String optimizer,
                          String activation, String init, int[] hidden, float weightDecay, float dropout,
                          boolean batchNorm, long seed, int logEvery) {

    public static TrainConfig seedDefaults() {
        return new TrainConfig("mlp", 10_000, 0, 100, 0.1f, "sgd", "sigmoid", "std", new int[] {100}, 0f, 0f,
                false, 42L, 1000);
    }

    public TrainConfig {
        hidden = hidden.clone();
        if (steps <= 0 && epochs <= 0) {
            throw new IllegalArgumentException("--steps or --epochs must be positive");
        }
        if (steps < 0 || epochs < 0) {
            throw new IllegalArgumentException("--steps and --epochs must not be negative");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        if (!(lr > 0f) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        }
        if (!(weightDecay >= 0f) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
        }
        if (hidden.length == 0 || Arrays.stream(hidden).anyMatch(h -> h <= 0)) {
            throw new IllegalArgumentException("--hidden needs one or more positive widths, got "
                    + Arrays.toString(hidden));
        }
        if (!model.equals("mlp")) {
            throw new IllegalArgumentException("unknown --model '" + model + "' (expected mlp)");
        }
        jgrad.nn.Init.parse(init);
        jgrad.nn.Activation.parse(activation);
        jgrad.optim.Optimizer.checkName(optimizer);
        if (logEvery <= 0) {
            throw new IllegalArgumentException("--log-every must be positive, got " + logEvery);
        }
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /** Total optimizer steps for a training set of {@code trainCount} examples. */
    public int totalSteps(int trainCount) {
        if (epochs == 0) {
            return steps;
        }
        int perEpoch = trainCount / batchSize;
        if (perEpoch == 0) {
            throw new IllegalArgumentException("--batch-size " + batchSize + " exceeds the " + trainCount
                    + " training examples");
        }
        long total = (long) perEpoch * epochs;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--epochs " + epochs + " gives more than 2^31 steps");
        }
        return (int) total;
    }
}
