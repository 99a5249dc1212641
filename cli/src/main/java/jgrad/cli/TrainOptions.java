package jgrad.cli;

import java.nio.file.Path;
import jgrad.train.TrainConfig;
import picocli.CommandLine.Option;

/** The options shared by train (and later compare): the job, its hyper-parameters and outputs. */
final class TrainOptions {
    @Option(names = "--model", defaultValue = "mlp",
            description = "Network: mlp, convnet (the book's SimpleConvNet), resnet8 or resnet18 (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--stem", defaultValue = "seed",
            description = "ResNet stem: seed (7x7/2 conv + 3x3/2 max-pool, as the seed's MNIST ResNet-18) or cifar "
                    + "(3x3/1 conv, no pool) (default: ${DEFAULT-VALUE}).")
    String stem;

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
            description = "sgd, momentum, adagrad or adam (default: sgd for mlp, adam for convnet, momentum for the resnets).")
    String optimizer;

    @Option(names = "--activation",
            description = "Hidden activation: sigmoid, relu or tanh (default: sigmoid for mlp, relu otherwise).")
    String activation;

    @Option(names = "--init",
            description = "Weight init: std (0.01·N(0,1)), xavier or he (default: std for mlp, he otherwise).")
    String init;

    @Option(names = "--hidden", split = ",",
            description = "Hidden affine widths of mlp and convnet, comma-separated (default: 100).")
    int[] hidden;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay λ on weights (default: 0).")
    float weightDecay;

    @Option(names = "--dropout", defaultValue = "0", description = "Dropout probability after each hidden layer.")
    float dropout;

    @Option(names = "--batch-norm", description = "Batch normalisation after each hidden affine layer.")
    boolean batchNorm;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--log-every", defaultValue = "1000", description = "Steps between loss lines (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--data-dir", description = "Data directory (default: $JGRAD_DATA or ~/.cache/jgrad).")
    Path dataDir;

    /** The job; options left out take the model's defaults (TrainConfig.defaultOptimizer and friends). */
    TrainConfig config() {
        if (TrainConfig.isResNet(model) && hidden != null) {
            throw new IllegalArgumentException("--hidden applies to mlp and convnet, not to " + model);
        }
        String opt = optimizer != null ? optimizer : TrainConfig.defaultOptimizer(model);
        jgrad.optim.Optimizer.checkName(opt);
        float rate = lr != null ? lr : jgrad.optim.Optimizer.defaultLearningRate(opt);
        return new TrainConfig(model, steps, epochs, batchSize, rate, opt,
                activation != null ? activation : TrainConfig.defaultActivation(model),
                init != null ? init : TrainConfig.defaultInit(model),
                hidden != null ? hidden : new int[] {100}, weightDecay, dropout, batchNorm, seed, logEvery, stem);
    }
}
