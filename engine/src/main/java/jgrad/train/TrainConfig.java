package jgrad.train;

import java.util.Arrays;
import java.util.List;

/**
 * One training job. Defaults are the seed's TwoLayerNet run: 784→100→10, sigmoid, 0.01·N(0,1)
 * init, SGD lr 0.1, batch 100 sampled with replacement, 10 000 steps.
 *
 * <p>An <em>epoch</em> is {@link #stepsPerEpoch} steps in both modes (in steps mode a notional one,
 * the last one possibly partial): the unit of evaluation, checkpoints, early stopping and the
 * cosine schedule.
 *
 * @param model      mlp, convnet (the book's SimpleConvNet; {@code hidden} are its affine widths),
 *                   deepconvnet (the book's ch. 8 DeepConvNet, see {@link jgrad.nn.DeepConvNet}; {@code hidden}
 *                   likewise), resnet8 or resnet18 (see {@link jgrad.nn.ResNet})
 * @param steps      optimizer steps when {@code epochs} is 0 (minibatches sampled with replacement)
 * @param epochs     if &gt; 0, passes over a reshuffled training set instead (last partial batch dropped)
 * @param logEvery   steps between loss reports
 * @param momentum   μ of the momentum optimizer
 * @param lrSchedule {@code constant} or {@code cosine} (see {@link LrSchedule})
 * @param tMax       cosine half-period in epochs; 0 means the run's epoch count
 * @param patience   stop when the epoch mean loss has not improved by more than {@code minDelta}
 *                   for this many epochs; 0 disables early stopping
 * @param augment    host-side augmentation of training batches: {@code none} or a comma list of
 *                   {@code rotate}, {@code crop}, {@code flip} (see {@link jgrad.data.Augment})
 * @param stem       the ResNet stem: seed (7×7/2 conv + 3×3/2 max-pool) or cifar (3×3/1 conv)
 * @param onNan      what a step with a NaN or infinite loss or gradient does: {@code stop} the run
 *                   (the default) or {@code skip} its update (see {@link NonFiniteCheck}); null
 *                   (a checkpoint written before the option existed) means stop
 */
public record TrainConfig(String model, int steps, int epochs, int batchSize, float lr, String optimizer,
                          String activation, String init, int[] hidden, float weightDecay, float dropout,
                          boolean batchNorm, long seed, int logEvery, float momentum, String lrSchedule, int tMax,
                          int patience, float minDelta, String augment, String stem, String onNan) {

    public static final List<String> MODELS = List.of("mlp", "convnet", "deepconvnet", "resnet8", "resnet18");
    /** The values of {@link #onNan}. */
    public static final List<String> ON_NAN = List.of("stop", "skip");

    /** The seed's TwoLayerNet run, with the defaults of the later options (see {@link Builder}). */
    public static TrainConfig seedDefaults() {
        return builder().build();
    }

    /** A job to build from the seed defaults; set only what differs. */
    public static Builder builder() {
        return new Builder();
    }

    /** A job to build from this one. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public static boolean isResNet(String model) {
        return model.startsWith("resnet");
    }

    /** The book's conv nets, SimpleConvNet and DeepConvNet: {@code hidden} are their affine widths. */
    public static boolean isBookConvNet(String model) {
        return model.equals("convnet") || model.equals("deepconvnet");
    }

    /** The optimizer a model trains with when none is given: the seed's SGD for the MLP, the book's Adam for
     *  its conv nets (train_convnet.py, train_deepnet.py), the seed's momentum 0.9 for the ResNets. */
    public static String defaultOptimizer(String model) {
        return model.equals("mlp") ? "sgd" : isBookConvNet(model) ? "adam" : "momentum";
    }

    /** The hidden affine widths when none are given: the book's 50 for DeepConvNet, the seed's 100 otherwise
     *  (the ResNets have none; their config carries the 100 unused). */
    public static int[] defaultHidden(String model) {
        return new int[] {"deepconvnet".equals(model) ? jgrad.nn.DeepConvNet.HIDDEN : 100};
    }

    /** sigmoid for the seed's MLP, ReLU for the conv nets. */
    public static String defaultActivation(String model) {
        return model.equals("mlp") ? "sigmoid" : "relu";
    }

    /**
     * constant for the seed's MLP; cosine for the conv nets, as the seeds' ResNet runs. With it the
     * convnet's 3-epoch MNIST run reaches 0.9894 / 0.9888 (seeds 42 / 1) against 0.9831 / 0.9874
     * with a constant Adam rate.
     */
    public static String defaultLrSchedule(String model) {
        return model.equals("mlp") ? "constant" : "cosine";
    }

    /** The seed's 0.01·N(0,1) for the MLP, He for the conv nets (ReLU everywhere). */
    public static String defaultInit(String model) {
        return model.equals("mlp") ? "std" : "he";
    }

    /**
     * The most steps one run may take: the run keeps one float of loss history per step (400 MB
     * here), allocated before the first step. A bound on input, not on patience: the seed MLP's
     * steps take half a millisecond, so this is about 14 hours of it.
     */
    public static final int MAX_STEPS = 100_000_000;
    /** The most hidden layers of the MLP and the convnet. */
    public static final int MAX_LAYERS = 100;
    /**
     * The widest hidden layer: 2^20 units. An MNIST layer of that width is 822 M weights, which
     * still fit one array; wider ones never do.
     */
    public static final int MAX_WIDTH = 1 << 20;

    /**
     * Checks every value against its range; a bad one is a {@link ConfigValueException} that the
     * command line words with its option and a checkpoint reader with its field. Nulls (a stored
     * config that lacks a field) are refused by the same checks.
     */
    public TrainConfig {
        if (hidden == null) {
            throw ConfigValueException.range("hidden", "null", "a list of widths");
        }
        hidden = hidden.clone();
        if (steps <= 0 && epochs <= 0) {
            String bothZeroOrLess = "--steps or --epochs must be positive";
            throw epochs < 0 ? ConfigValueException.worded("epochs", epochs, ">= 0", bothZeroOrLess)
                    : ConfigValueException.worded("steps", steps, "positive when 'epochs' is 0", bothZeroOrLess);
        }
        if (steps < 0 || epochs < 0) {
            throw ConfigValueException.worded(steps < 0 ? "steps" : "epochs", steps < 0 ? steps : epochs,
                    ">= 0", "--steps and --epochs must not be negative");
        }
        if (steps > MAX_STEPS) {
            throw ConfigValueException.range("steps", steps, "at most " + MAX_STEPS);
        }
        if (epochs > MAX_STEPS) {
            throw ConfigValueException.range("epochs", epochs, "at most " + MAX_STEPS + " (each is a step or more)");
        }
        if (batchSize <= 0) {
            throw ConfigValueException.range("batchSize", batchSize, "positive");
        }
        if (!(lr > 0f) || !Float.isFinite(lr)) {
            throw ConfigValueException.range("lr", lr, "a positive number");
        }
        if (!(weightDecay >= 0f) || !Float.isFinite(weightDecay)) {
            throw ConfigValueException.range("weightDecay", weightDecay, ">= 0");
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw ConfigValueException.range("dropout", dropout, "in [0, 1)");
        }
        checkHidden(hidden);
        if (model == null || !MODELS.contains(model)) {
            String expected = String.join(", ", MODELS);
            throw ConfigValueException.worded("model", quoted(model), "one of " + expected, "unknown --model '"
                    + model + "' (expected " + expected + ")");
        }
        if (!model.equals("mlp") && (dropout > 0f || batchNorm)) {
            throw ConfigValueException.worded(batchNorm ? "batchNorm" : "dropout", batchNorm ? "true" : dropout,
                    (batchNorm ? "false" : "0") + " for model " + model + " (the mlp's option; deepconvnet has the "
                            + "book's dropout 0.5 built in, the ResNets their own batch norm)", "--dropout and "
                            + "--batch-norm apply to --model mlp only (deepconvnet has the book's dropout 0.5 built "
                            + "in, the ResNets their own batch norm)");
        }
        checkName("activation", activation, "sigmoid, relu or tanh", () -> jgrad.nn.Activation.parse(activation));
        if (isResNet(model) && !activation.trim().equalsIgnoreCase("relu")) {
            throw ConfigValueException.worded("activation", quoted(activation), "relu for model " + model,
                    "--model " + model + " uses ReLU; --activation " + activation + " is not supported");
        }
        checkName("stem", stem, "seed or cifar", () -> jgrad.nn.ResNet.Stem.parse(stem));
        checkName("init", init, "std, xavier, he or a positive standard deviation", () -> jgrad.nn.Init.parse(init));
        checkName("optimizer", optimizer, "sgd, momentum, adagrad or adam",
                () -> jgrad.optim.Optimizer.checkName(optimizer));
        if (logEvery <= 0) {
            throw ConfigValueException.range("logEvery", logEvery, "positive");
        }
        if (!(momentum >= 0f && momentum < 1f)) {
            throw ConfigValueException.range("momentum", momentum, "in [0, 1)");
        }
        checkName("lrSchedule", lrSchedule, "constant or cosine", () -> LrSchedule.checkName(lrSchedule));
        if (tMax < 0) {
            throw ConfigValueException.range("tMax", tMax, ">= 0 (0: the run's epochs)");
        }
        if (patience < 0) {
            throw ConfigValueException.range("patience", patience, ">= 0 (0: no early stopping)");
        }
        if (!(minDelta >= 0f) || !Float.isFinite(minDelta)) {
            throw ConfigValueException.range("minDelta", minDelta, ">= 0");
        }
        String augmentGiven = augment;
        checkName("augment", augment, "none or a comma list of crop, flip, rotate",
                () -> jgrad.data.Augment.canonical(augmentGiven));
        augment = jgrad.data.Augment.canonical(augment);
        onNan = onNan == null ? "stop" : onNan.trim().toLowerCase(java.util.Locale.ROOT);
        if (!ON_NAN.contains(onNan)) {
            throw ConfigValueException.range("onNan", quoted(onNan), "stop or skip");
        }
    }

    private static void checkHidden(int[] hidden) {
        if (hidden.length == 0 || Arrays.stream(hidden).anyMatch(h -> h <= 0)) {
            throw ConfigValueException.worded("hidden", Arrays.toString(hidden), "one or more positive widths",
                    "--hidden needs one or more positive widths, got " + Arrays.toString(hidden));
        }
        if (hidden.length > MAX_LAYERS || Arrays.stream(hidden).anyMatch(h -> h > MAX_WIDTH)) {
            String shown = hidden.length > 8 ? hidden.length + " widths" : Arrays.toString(hidden);
            throw ConfigValueException.range("hidden", shown, "at most " + MAX_LAYERS + " widths of at most "
                    + MAX_WIDTH);
        }
    }

    /**
     * A name checked by the parser that will use it; its message is the command-line wording, and
     * {@code expected} lists the names for a file's reader. A null (a field missing from a stored
     * config) gets the same error.
     */
    private static void checkName(String field, String value, String expected, Runnable parse) {
        if (value == null) {
            throw ConfigValueException.worded(field, "missing", expected, ConfigValueException.option(field)
                    + " is missing (expected " + expected + ")");
        }
        try {
            parse.run();
        } catch (IllegalArgumentException e) {
            throw ConfigValueException.worded(field, quoted(value), expected, e.getMessage());
        }
    }

    private static String quoted(String s) {
        return s == null ? "missing" : "'" + s + "'";
    }

    /** Whether a step with a non-finite loss or gradient is skipped rather than ending the run. */
    public boolean skipsNonFinite() {
        return onNan.equals("skip");
    }

    /** This job in steps mode: {@code steps} steps of {@code batchSize}, a loss line every {@code logEvery}
     *  (benchmarks, warm-up). */
    public TrainConfig inStepsMode(int steps, int batchSize, int logEvery) {
        return toBuilder().steps(steps).epochs(0).batchSize(batchSize).logEvery(logEvery).build();
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /** Steps per epoch: full batches in one pass over {@code trainCount} examples. */
    public int stepsPerEpoch(int trainCount) {
        int perEpoch = trainCount / batchSize;
        if (perEpoch == 0) {
            throw ConfigValueException.worded("batchSize", batchSize, "at most the " + trainCount
                    + " training examples", "--batch-size " + batchSize + " exceeds the " + trainCount
                    + " training examples");
        }
        return perEpoch;
    }

    /** Epochs of the run: {@code epochs}, or in steps mode the notional epochs the steps span (last partial). */
    public int totalEpochs(int trainCount) {
        if (epochs > 0) {
            return epochs;
        }
        int perEpoch = stepsPerEpoch(trainCount);
        return (steps + perEpoch - 1) / perEpoch;
    }

    /** Total optimizer steps for a training set of {@code trainCount} examples. */
    public int totalSteps(int trainCount) {
        if (epochs == 0) {
            return steps;
        }
        int perEpoch = stepsPerEpoch(trainCount);
        long total = Math.multiplyExact((long) perEpoch, epochs);  // both below 2^31: exact in a long
        if (total > MAX_STEPS) {
            throw ConfigValueException.worded("epochs", epochs, "at most " + MAX_STEPS / perEpoch + " ("
                    + MAX_STEPS + " steps of " + perEpoch + " per epoch)", "--epochs " + epochs + " gives " + total
                    + " steps, more than the " + MAX_STEPS + " a run may take");
        }
        return (int) total;
    }

    /**
     * A job set by name rather than by position (22 components in a row are too easy to swap).
     * It starts from the seed defaults: the seed MLP run of {@link TrainConfig} (10 000 steps of
     * batch 100, SGD lr 0.1, sigmoid, std init, one hidden layer of 100, seed 42, a loss line every
     * 1000 steps) and the defaults of the later options: momentum 0.9, a constant rate, no early stop,
     * no augmentation, the seed's ResNet stem, stop at a non-finite step. {@link #build} runs the
     * record's checks; a builder holds any values until then.
     */
    public static final class Builder {
        private String model = "mlp";
        private int steps = 10_000;
        private int epochs;
        private int batchSize = 100;
        private float lr = 0.1f;
        private String optimizer = "sgd";
        private String activation = "sigmoid";
        private String init = "std";
        private int[] hidden = {100};
        private float weightDecay;
        private float dropout;
        private boolean batchNorm;
        private long seed = 42L;
        private int logEvery = 1000;
        private float momentum = 0.9f;
        private String lrSchedule = "constant";
        private int tMax;
        private int patience;
        private float minDelta;
        private String augment = "none";
        private String stem = "seed";
        private String onNan = "stop";

        private Builder() {
        }

        private Builder(TrainConfig c) {
            model = c.model;
            steps = c.steps;
            epochs = c.epochs;
            batchSize = c.batchSize;
            lr = c.lr;
            optimizer = c.optimizer;
            activation = c.activation;
            init = c.init;
            hidden = c.hidden;  // the record's own copy; build() copies it again
            weightDecay = c.weightDecay;
            dropout = c.dropout;
            batchNorm = c.batchNorm;
            seed = c.seed;
            logEvery = c.logEvery;
            momentum = c.momentum;
            lrSchedule = c.lrSchedule;
            tMax = c.tMax;
            patience = c.patience;
            minDelta = c.minDelta;
            augment = c.augment;
            stem = c.stem;
            onNan = c.onNan;
        }

        /** The job; a value out of range is the record's {@link ConfigValueException}. */
        public TrainConfig build() {
            return new TrainConfig(model, steps, epochs, batchSize, lr, optimizer, activation, init, hidden,
                    weightDecay, dropout, batchNorm, seed, logEvery, momentum, lrSchedule, tMax, patience, minDelta,
                    augment, stem, onNan);
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder lr(float lr) {
            this.lr = lr;
            return this;
        }

        public Builder optimizer(String optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        public Builder activation(String activation) {
            this.activation = activation;
            return this;
        }

        public Builder init(String init) {
            this.init = init;
            return this;
        }

        /** The hidden widths, copied (a later change to the caller's array does not reach the job). */
        public Builder hidden(int... hidden) {
            this.hidden = hidden == null ? null : hidden.clone();
            return this;
        }

        public Builder weightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder dropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder batchNorm(boolean batchNorm) {
            this.batchNorm = batchNorm;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder logEvery(int logEvery) {
            this.logEvery = logEvery;
            return this;
        }

        public Builder momentum(float momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder lrSchedule(String lrSchedule) {
            this.lrSchedule = lrSchedule;
            return this;
        }

        public Builder tMax(int tMax) {
            this.tMax = tMax;
            return this;
        }

        public Builder patience(int patience) {
            this.patience = patience;
            return this;
        }

        public Builder minDelta(float minDelta) {
            this.minDelta = minDelta;
            return this;
        }

        public Builder augment(String augment) {
            this.augment = augment;
            return this;
        }

        public Builder stem(String stem) {
            this.stem = stem;
            return this;
        }

        /** {@code stop} or {@code skip}; null means stop, as in a checkpoint written before the option. */
        public Builder onNan(String onNan) {
            this.onNan = onNan;
            return this;
        }
    }
}
