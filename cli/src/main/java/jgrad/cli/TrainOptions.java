package jgrad.cli;

import java.nio.file.Path;
import java.util.function.Predicate;
import jgrad.train.TrainConfig;
import picocli.CommandLine.Option;

/** The options shared by train (and later compare): the job, its hyper-parameters and outputs. */
final class TrainOptions {
    @Option(names = "--model", defaultValue = "mlp",
            description = "Network: mlp, convnet (the book's SimpleConvNet), deepconvnet (the book's ch. 8 VGG-like "
                    + "net), resnet8 or resnet18 (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--dataset", defaultValue = "mnist",
            description = "mnist, fashion-mnist or cifar10 (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--normalize", defaultValue = "none",
            description = "Input normalisation after scaling pixels to [0,1]: none, or mean-std (per channel, "
                    + "training-set statistics) (default: ${DEFAULT-VALUE}).")
    String normalize;

    @Option(names = "--stem", defaultValue = "seed",
            description = "ResNet stem: seed (7x7/2 conv + 3x3/2 max-pool, as the seed's MNIST ResNet-18) or cifar "
                    + "(3x3/1 conv, no pool) (default: ${DEFAULT-VALUE}).")
    String stem;

    @Option(names = "--train-limit", paramLabel = "N",
            description = "Train on the first N training images only (default: all): quick runs, small-data "
                    + "experiments.")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N",
            description = "Evaluate on the first N test images only (default: all).")
    Integer testLimit;

    @Option(names = "--steps", defaultValue = "10000",
            description = "Optimizer steps, minibatches sampled with replacement (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--epochs", defaultValue = "0",
            description = "Train for N passes over the reshuffled training set instead of --steps.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "100", description = "Minibatch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr",
            description = "Learning rate (default: sgd 0.1 as the seed, momentum 0.01, adagrad 0.01, adam 0.001).")
    Float lr;

    @Option(names = "--optimizer",
            description = "sgd, momentum (SGD with momentum), adagrad or adam (default: sgd for mlp, adam for convnet and "
                    + "deepconvnet, momentum for the resnets).")
    String optimizer;

    @Option(names = "--momentum", defaultValue = "0.9",
            description = "Momentum of --optimizer momentum (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--lr-schedule",
            description = "constant, or cosine: annealed to 0 once per epoch like PyTorch's CosineAnnealingLR "
                    + "(default: constant for mlp, cosine for the conv models).")
    String lrSchedule;

    @Option(names = "--t-max", defaultValue = "0",
            description = "Cosine half-period in epochs (default: the run's epochs).")
    int tMax;

    @Option(names = "--patience", defaultValue = "0",
            description = "Early stopping: stop after N epochs whose mean loss did not improve by more than "
                    + "--min-delta (default: 0, off).")
    int patience;

    @Option(names = "--min-delta", defaultValue = "0", description = "Improvement early stopping requires (default: 0).")
    float minDelta;

    @Option(names = "--augment", defaultValue = "none",
            description = "Training-batch augmentation on the host: none or a comma list of rotate (±10°), "
                    + "crop (pad 4 for 32 px, 2 for 28 px), flip (not for mnist) (default: ${DEFAULT-VALUE}).")
    String augment;

    @Option(names = "--activation",
            description = "Hidden activation: sigmoid, relu or tanh (default: sigmoid for mlp, relu otherwise).")
    String activation;

    @Option(names = "--init",
            description = "Weight init: std (0.01·N(0,1)), xavier, he, or a number: that standard deviation "
                    + "(the book's weight_init_std; default: std for mlp, he otherwise).")
    String init;

    @Option(names = "--hidden", split = ",",
            description = "Hidden affine widths of mlp, convnet and deepconvnet, comma-separated (default: 100; "
                    + "deepconvnet: 50, as the book).")
    int[] hidden;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay λ on weights (default: 0).")
    float weightDecay;

    @Option(names = "--dropout", defaultValue = "0", description = "Dropout probability after each hidden layer of mlp (deepconvnet has "
            + "the book's 0.5 built in).")
    float dropout;

    @Option(names = "--batch-norm", description = "Batch normalisation after each hidden affine layer.")
    boolean batchNorm;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--log-every", defaultValue = "1000", description = "Steps between loss lines (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--device", defaultValue = "auto",
            description = "cpu, cuda, cuda:N or auto: CUDA when usable, else cpu with the reason logged (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--kernels", defaultValue = "auto",
            description = "CUDA kernels: auto (cuBLAS/cuDNN where they load, own PTX kernels otherwise), own (only the "
                    + "own PTX kernels) or vendor (fail without cuBLAS and cuDNN). Only auto with --device cpu.")
    String kernels;

    @Option(names = "--tf32", description = "Let cuBLAS/cuDNN use TF32 tensor cores (faster, ~1e-3 relative error); "
            + "ignored on the CPU.")
    boolean tf32;

    @Option(names = "--deterministic",
            description = "CUDA: only algorithms that give the same bits on every run (cuDNN convolutions without "
                    + "atomics; fails where none fits), same seed -> same losses and weights. Combines with --tf32. "
                    + "Accepted and without effect on the CPU, which always gives the same bits for a seed, with "
                    + "any thread count.")
    boolean deterministic;

    @Option(names = "--on-nan", paramLabel = "stop|skip",
            description = "A step whose loss or gradient is NaN or infinite: stop ends the run (exit 1, naming the "
                    + "step and the first parameter; the last checkpoint stays good), skip leaves out that step's "
                    + "update and goes on (on a GPU it waits for each step's flag, as PyTorch's GradScaler does), "
                    + "but still stops at 10 skipped steps in a row or more than 10%% of an epoch's (default: stop).")
    String onNan;

    /** The device chosen by --device, --kernels, --tf32 and --deterministic. */
    jgrad.device.Devices.Selection selectDevice() {
        return jgrad.device.Devices.select(device, jgrad.device.KernelChoice.parse(kernels), tf32, deterministic);
    }

    @Option(names = "--data-dir", description = "Data directory (default: $JGRAD_DATA or ~/.cache/jgrad).")
    Path dataDir;

    /** The job as given; {@code given} tells which options were on the command line. */
    TrainConfig config(Predicate<String> given) {
        return config(null, given);
    }

    /** --train-limit and --test-limit as given, each checked. */
    DataLimits limits() {
        return DataLimits.of(trainLimit, testLimit);
    }

    /**
     * The job: every option as given, or, continuing from {@code base} (a checkpoint's config), the
     * base value of each option that was not given on this command line. Options left out of a new
     * job take the model's defaults (TrainConfig.defaultOptimizer and friends).
     */
    TrainConfig config(TrainConfig base, Predicate<String> given) {
        Predicate<String> mine = base == null ? name -> true : given;
        String net = mine.test("--model") ? model : base.model();
        if (TrainConfig.isResNet(net) && hidden != null) {
            throw new IllegalArgumentException("--hidden applies to mlp, convnet and deepconvnet, not to " + net);
        }
        // The model-dependent options have no picocli default: null means not given.
        String opt = optimizer != null ? optimizer : base != null ? base.optimizer() : TrainConfig.defaultOptimizer(net);
        jgrad.optim.Optimizer.checkName(opt);
        if (given.test("--momentum") && !opt.equals("momentum")) {
            throw new IllegalArgumentException("--momentum applies to --optimizer momentum (SGD with momentum), not "
                    + opt);
        }
        float rate;
        if (lr != null) {
            rate = lr;
        } else if (base != null && optimizer == null) {
            rate = base.lr();
        } else {
            rate = jgrad.optim.Optimizer.defaultLearningRate(opt);
        }
        return TrainConfig.builder()
                .model(net)
                .steps(mine.test("--steps") ? steps : base.steps())
                .epochs(mine.test("--epochs") ? epochs : base.epochs())
                .batchSize(mine.test("--batch-size") ? batchSize : base.batchSize())
                .lr(rate)
                .optimizer(opt)
                .activation(activation != null ? activation
                        : base != null ? base.activation() : TrainConfig.defaultActivation(net))
                .init(init != null ? init : base != null ? base.init() : TrainConfig.defaultInit(net))
                .hidden(hidden != null ? hidden : base != null ? base.hidden() : TrainConfig.defaultHidden(net))
                .weightDecay(mine.test("--weight-decay") ? weightDecay : base.weightDecay())
                .dropout(mine.test("--dropout") ? dropout : base.dropout())
                .batchNorm(mine.test("--batch-norm") ? batchNorm : base.batchNorm())
                .seed(mine.test("--seed") ? seed : base.seed())
                .logEvery(mine.test("--log-every") ? logEvery : base.logEvery())
                .momentum(mine.test("--momentum") ? momentum : base.momentum())
                .lrSchedule(lrSchedule != null ? lrSchedule
                        : base != null ? base.lrSchedule() : TrainConfig.defaultLrSchedule(net))
                .tMax(mine.test("--t-max") ? tMax : base.tMax())
                .patience(mine.test("--patience") ? patience : base.patience())
                .minDelta(mine.test("--min-delta") ? minDelta : base.minDelta())
                .augment(mine.test("--augment") ? augment : base.augment())
                .stem(mine.test("--stem") ? stem : base.stem())
                .onNan(onNan != null ? onNan : base != null ? base.onNan() : "stop")
                .build();
    }
}
